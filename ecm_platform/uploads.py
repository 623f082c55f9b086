"""Documents people upload (referral forms, assessments, faxed records) and how they are served.

An upload is accepted only as one of `DOCUMENT_TYPES`, recognised from its first bytes and matching
its file name's extension; the client's declared type is never trusted, and a markup or script type
(HTML, SVG, XML, JavaScript) is refused outright. Served back, a document is always a download of
its stored allow-listed type with `nosniff`: served from the app's origin as `text/html` or
`image/svg+xml`, a file would run script that `script-src 'self'` trusts.
"""

import io
import zipfile
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from ecm_platform.errors import DomainError

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Types a browser runs or renders as a document; any `+xml` type (SVG, XHTML) too.
ACTIVE_TYPES = {
    "text/html", "text/xml", "application/xml", "text/javascript", "application/javascript",
    "application/x-javascript", "text/ecmascript", "application/ecmascript",
}  # fmt: skip


@dataclass(frozen=True)
class DocumentType:
    content_type: str
    extensions: tuple[str, ...]
    label: str


DOCUMENT_TYPES = (
    DocumentType("application/pdf", (".pdf",), "PDF"),
    DocumentType("image/png", (".png",), "PNG"),
    DocumentType("image/jpeg", (".jpg", ".jpeg"), "JPEG"),
    DocumentType("image/tiff", (".tif", ".tiff"), "TIFF"),
    DocumentType(DOCX, (".docx",), "Word (DOCX)"),
    DocumentType("text/plain", (".txt",), "plain text"),
)
BY_CONTENT_TYPE = {kind.content_type: kind for kind in DOCUMENT_TYPES}
ALLOWED = ", ".join(kind.label for kind in DOCUMENT_TYPES[:-1]) + f" or {DOCUMENT_TYPES[-1].label}"


def _is_docx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _is_plain_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    # Markup is refused even as text: a browser that sniffs would render it.
    return "\x00" not in text and not text.lstrip().startswith("<")


def sniff(content: bytes) -> str | None:
    """The allow-listed type the content's first bytes show, or None."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if content.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(content) else None
    return "text/plain" if _is_plain_text(content) else None


def document_type(*, name: str, declared_type: str, content: bytes) -> str:
    """The type to store for an upload, or a DomainError (400 on `file`) saying what is accepted."""
    if not content:
        raise DomainError("The file is empty.", field="file")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DomainError(f"Documents are at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.", field="file")
    refused = DomainError(f"Attach a {ALLOWED} document.", field="file", code="unsupported_type")
    declared = declared_type.split(";")[0].strip().lower()
    if declared in ACTIVE_TYPES or declared.endswith("+xml"):
        raise refused
    kind = BY_CONTENT_TYPE.get(sniff(content))
    if kind is None:
        raise refused
    if not name.lower().endswith(kind.extensions):
        raise DomainError(
            f"The file is a {kind.label} document; its name must end in {' or '.join(kind.extensions)}.",
            field="file",
            code="unsupported_type",
        )
    return kind.content_type


def document_download(content: bytes, *, name: str, content_type: str) -> HttpResponse:
    """A stored document as a download: never rendered inline, never of a type outside the list."""
    safe_type = content_type if content_type in BY_CONTENT_TYPE else "application/octet-stream"
    response = HttpResponse(content, content_type=safe_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
