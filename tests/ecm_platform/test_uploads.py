"""Uploaded documents: an allow-list recognised by content, served back only as downloads."""

import io
import zipfile

import pytest

from ecm_platform import uploads
from ecm_platform.errors import DomainError


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buffer.getvalue()


ACCEPTED = [
    ("referral.pdf", "application/pdf", b"%PDF-1.7 referral", "application/pdf"),
    ("scan.PNG", "image/png", b"\x89PNG\r\n\x1a\n....", "image/png"),
    ("photo.jpeg", "", b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
    ("fax.tif", "application/octet-stream", b"II*\x00fax", "image/tiff"),
    ("fax.tiff", "image/tiff", b"MM\x00*fax", "image/tiff"),
    ("assessment.docx", "application/zip", docx_bytes(), uploads.DOCX),
    ("assessment.docx", uploads.DOCX, docx_bytes(), uploads.DOCX),  # "openxml" is not XML
    ("notes.txt", "text/plain", "Seen at the shelter — follow up.".encode(), "text/plain"),
    # The client's declared type is not trusted either way: a PDF sent as image/png is a PDF.
    ("referral.pdf", "image/png", b"%PDF-1.4", "application/pdf"),
]


@pytest.mark.parametrize(("name", "declared", "content", "stored"), ACCEPTED)
def test_allowed_documents_are_recognised_by_their_content(name, declared, content, stored):
    assert uploads.document_type(name=name, declared_type=declared, content=content) == stored


REFUSED = [
    # Markup and script that script-src 'self' would trust if served from the app's origin.
    ("page.html", "text/html", b"<html><script>alert(1)</script></html>"),
    ("image.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("app.js", "text/javascript", b"alert(document.cookie)"),
    # Declared as markup, whatever the bytes say.
    ("referral.pdf", "text/html", b"%PDF-1.4"),
    ("referral.pdf", "application/xhtml+xml; charset=utf-8", b"%PDF-1.4"),
    # Markup sent as plain text, and arbitrary binary.
    ("notes.txt", "text/plain", b"  <!doctype html><script>alert(1)</script>"),
    ("tool.exe", "application/octet-stream", b"MZ\x90\x00\x03\x00\x00\x00"),
    ("archive.docx", "application/zip", zip_bytes()),
]


@pytest.mark.parametrize(("name", "declared", "content"), REFUSED)
def test_other_types_are_refused_with_the_list_of_accepted_ones(name, declared, content):
    with pytest.raises(DomainError) as refused:
        uploads.document_type(name=name, declared_type=declared, content=content)
    assert (refused.value.field, refused.value.code) == ("file", "unsupported_type")
    assert refused.value.message == "Attach a PDF, PNG, JPEG, TIFF, Word (DOCX) or plain text document."


def test_the_extension_must_match_the_content():
    # A PDF named .html would open as a page once saved to disk.
    with pytest.raises(DomainError, match=r"PDF document; its name must end in \.pdf"):
        uploads.document_type(name="referral.html", declared_type="application/pdf", content=b"%PDF-1.4")


def test_empty_and_oversized_documents_are_refused():
    with pytest.raises(DomainError, match="empty"):
        uploads.document_type(name="a.pdf", declared_type="", content=b"")
    too_big = b"%PDF-" + b"x" * uploads.MAX_DOCUMENT_BYTES
    with pytest.raises(DomainError, match="at most 10 MB"):
        uploads.document_type(name="a.pdf", declared_type="", content=too_big)


def test_a_download_is_an_attachment_of_an_allowed_type_with_nosniff():
    pdf = uploads.document_download(b"%PDF-1.4", name="referral.pdf", content_type="application/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="referral.pdf"'
    assert pdf["X-Content-Type-Options"] == "nosniff"
    # A type stored before the allow-list existed is served as opaque bytes.
    legacy = uploads.document_download(b"<script>", name="x.html", content_type="text/html")
    assert legacy["Content-Type"] == "application/octet-stream"
    assert legacy["Content-Disposition"] == 'attachment; filename="x.html"'
