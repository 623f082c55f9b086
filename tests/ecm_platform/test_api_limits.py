"""Request bodies the API refuses in its one error shape (ARCHITECTURE "API": errors are JSON with
a stable shape): too deeply nested JSON, and bodies over the documented limits."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecm_platform.api import parsers
from ecm_platform.tenancy.models import Role

URL = "/api/v1/members/"  # any JSON endpoint: the parsers are the API's defaults


@pytest.fixture
def api(plan_a, make_membership, make_api_client):
    return make_api_client(make_membership(plan_a, Role.CARE_COORDINATOR))


def post_json(api, body: str):
    return api.generic("POST", URL, body, content_type="application/json")


def the_error(response) -> dict:
    """The first error; a refused body has exactly one, a client error of the documented shape."""
    body = response.json()
    if body["type"] != "client_error":
        return body["errors"][0]
    (error,) = body["errors"]
    return error


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_a_body_nested_100000_levels_is_a_json_400_not_a_500(api):
    response = post_json(api, nested(100_000))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert the_error(response) == {
        "code": "parse_error",
        "detail": f"JSON parse error - nested deeper than {parsers.MAX_JSON_DEPTH} levels.",
        "attr": None,
    }


def test_nesting_up_to_the_limit_is_parsed_and_one_more_level_is_refused(api):
    at_limit = post_json(api, nested(parsers.MAX_JSON_DEPTH))
    over = post_json(api, nested(parsers.MAX_JSON_DEPTH + 1))
    assert at_limit.status_code == 400 and the_error(at_limit)["code"] != "parse_error"  # a validation error
    assert over.status_code == 400 and the_error(over)["code"] == "parse_error"


def padded(size: int) -> str:
    body = json.dumps({"first_name": ""})
    return json.dumps({"first_name": "x" * (size - len(body))})


def test_a_json_body_at_the_limit_is_read_and_one_byte_over_is_a_413_naming_it(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    at_limit = post_json(api, padded(1000))
    over = post_json(api, padded(1001))
    assert at_limit.status_code == 400 and the_error(at_limit)["code"] != "request_too_large"
    assert over.status_code == 413
    assert the_error(over) == {
        "code": "request_too_large",
        "detail": "The request body is larger than the limit of 1000 bytes.",
        "attr": None,
    }


def test_a_form_field_over_the_limit_is_a_413_in_the_same_shape(api, settings):
    # Django's own multipart check (RequestDataTooBig) answers like the parsers do; it counts each
    # field as name=value& (988 + len("first_name") + 2 = 1000).
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    at_limit = api.post(URL, {"first_name": "x" * 988}, format="multipart")
    over = api.post(URL, {"first_name": "x" * 989}, format="multipart")
    assert at_limit.status_code == 400 and the_error(at_limit)["code"] != "request_too_large"
    assert over.status_code == 413
    assert the_error(over)["detail"] == "The request body is larger than the limit of 1000 bytes."


def test_an_upload_over_the_document_limit_is_refused_before_it_is_read(api, settings, monkeypatch):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    monkeypatch.setattr(parsers, "MAX_DOCUMENT_BYTES", 4000)
    upload = SimpleUploadedFile("referral.pdf", b"%PDF-" + b"x" * 5000, content_type="application/pdf")
    response = api.post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 413
    assert the_error(response)["detail"] == "The request body is larger than the limit of 5000 bytes."
