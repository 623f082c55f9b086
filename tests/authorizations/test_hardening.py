"""Findings of the attack run (issue 13, "Hardening"): PHI responses are never cached, and attached
documents are an allow-list recognised by content, always served back as downloads."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled

from authorizations.models import RequestAttachment
from ecm_platform import clocks
from tests.authorizations.api_helpers import denied
from tests.authorizations.conftest import MONDAY

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
HOSTILE = [
    ("page.html", "text/html", b"<!doctype html><script>alert(document.domain)</script>"),
    ("image.svg", "image/svg+xml", SVG),
    ("app.js", "text/javascript", b"fetch('/api/v1/members/').then(r => r.text()).then(alert)"),
]


def upload(api, request, name, content_type, content):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    with clocks.frozen(MONDAY):
        return api.post(f"/api/v1/authorizations/{request.pk}/attachments/", {"file": file}, format="multipart")


def no_store(response) -> bool:
    return "no-store" in response["Cache-Control"]


# --- Cache-Control: no-store ---------------------------------------------------------------------


def test_member_pages_api_responses_and_letters_are_never_cached(
    client, plan_a, coordinator_a, reviewer_a, coordinator_api, eligible_member_a, make_request
):
    # HIPAA minimum necessary: no copy of PHI left in a browser or proxy cache.
    request = denied(plan_a, coordinator_a, reviewer_a, eligible_member_a, make_request)
    with scope(plan=plan_a):
        notice = request.notices.get()
    client.force_login(coordinator_a.user)
    responses = {
        "member page": client.get(f"/members/{eligible_member_a.pk}/"),
        "notice PDF page": client.get(f"/authorizations/notices/{notice.pk}/pdf/"),
        "API member detail": coordinator_api.get(f"/api/v1/members/{eligible_member_a.pk}/"),
        "API notice PDF": coordinator_api.get(f"/api/v1/notices/{notice.pk}/pdf/", HTTP_ACCEPT="application/pdf"),
        "API error": coordinator_api.get("/api/v1/members/999999/"),
    }
    assert {name: r.status_code for name, r in responses.items()} == {
        "member page": 200, "notice PDF page": 200, "API member detail": 200, "API notice PDF": 200, "API error": 404,
    }  # fmt: skip
    assert [name for name, response in responses.items() if not no_store(response)] == []
    client.logout()
    assert no_store(client.get("/accounts/login/"))  # a page without a user, too


# --- Attachments: allow-listed by content, served as downloads -----------------------------------


@pytest.mark.parametrize(("name", "content_type", "content"), HOSTILE)
def test_markup_and_script_uploads_are_refused_with_a_clear_400(
    coordinator_api, under_review, name, content_type, content
):
    response = upload(coordinator_api, under_review, name, content_type, content)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "unsupported_type",
            "detail": "Attach a PDF, PNG, JPEG, TIFF, Word (DOCX) or plain text document.",
            "attr": "file",
        }
    ]
    with scopes_disabled():
        assert not RequestAttachment.objects.exists()


def test_the_declared_type_is_not_trusted(coordinator_api, under_review):
    # An SVG named and declared a PNG is refused; a PNG declared as octet-stream is stored as a PNG.
    disguised = upload(coordinator_api, under_review, "scan.png", "image/png", SVG)
    png = upload(coordinator_api, under_review, "scan.png", "application/octet-stream", b"\x89PNG\r\n\x1a\nrest")
    assert disguised.status_code == 400
    assert png.status_code == 201 and png.json()["content_type"] == "image/png"


def test_an_attachment_is_served_as_a_download_of_its_stored_type(client, plan_a, coordinator_a, under_review):
    with scopes_disabled(), clocks.frozen(MONDAY):
        pdf = RequestAttachment.objects.create(
            plan=plan_a, request=under_review, name="referral.pdf", content_type="application/pdf",
            content=b"%PDF-1.4", uploaded_by=coordinator_a.user, uploaded_at=clocks.now(),
        )  # fmt: skip
        # Stored before the allow-list existed: served as opaque bytes, never as a page.
        legacy = RequestAttachment.objects.create(
            plan=plan_a, request=under_review, name="x.html", content_type="text/html",
            content=b"<script>alert(1)</script>", uploaded_by=coordinator_a.user, uploaded_at=clocks.now(),
        )  # fmt: skip
    client.force_login(coordinator_a.user)
    served = {a.name: client.get(f"/authorizations/attachments/{a.pk}/") for a in (pdf, legacy)}
    assert {name: r["Content-Type"] for name, r in served.items()} == {
        "referral.pdf": "application/pdf",
        "x.html": "application/octet-stream",
    }
    for name, response in served.items():
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert no_store(response)


def test_the_page_upload_says_what_is_accepted(client, plan_a, coordinator_a, under_review):
    client.force_login(coordinator_a.user)
    file = io.BytesIO(SVG)
    file.name = "image.svg"
    with clocks.frozen(MONDAY):
        response = client.post(f"/authorizations/{under_review.pk}/attachments/", {"file": file}, follow=True)
    assert "Attach a PDF, PNG, JPEG, TIFF, Word (DOCX) or plain text document." in response.content.decode()
    with scopes_disabled():
        assert not RequestAttachment.objects.exists()
