"""The API shell: keyset pages, offline Swagger UI, and the error shape in the OpenAPI schema."""

import json

from django.contrib.staticfiles import finders
from django_scopes import scopes_disabled

from ecm_platform.calendars.models import Holiday
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import plan_scope

SWAGGER_ASSETS = [
    "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
    "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
]


def follow_next(client, url):
    """Every row of a list, page by page through the `next` cursors; also the number of pages."""
    rows, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        assert "count" not in body  # keyset pages never count the table
        rows.extend(body["results"])
        pages += 1
        url = body["next"]
    return rows, pages


def test_following_next_cursors_reads_every_holiday_once_in_date_order(plan_a, make_membership, make_api_client):
    client = make_api_client(make_membership(plan_a, Role.REVIEWER))
    rows, pages = follow_next(client, "/api/v1/holidays/?page_size=1")
    with scopes_disabled():
        expected = list(Holiday.objects.filter(plan=plan_a).order_by("date").values_list("id", flat=True))
    assert len(expected) > 30  # three copied years of closures
    assert [row["id"] for row in rows] == expected  # each once, none missed, in the view's order
    assert pages == len(expected)


def test_following_next_cursors_reads_the_callers_notifications_newest_first(plan_a, make_membership, make_api_client):
    reviewer = make_membership(plan_a, Role.REVIEWER)
    colleague = make_membership(plan_a, Role.REVIEWER)
    with plan_scope(plan_a):
        mine = [notification_send(plan=plan_a, recipient=reviewer.user, text=f"Note {n}") for n in range(5)]
        notification_send(plan=plan_a, recipient=colleague.user, text="Not for the reviewer")
    rows, pages = follow_next(make_api_client(reviewer), "/api/v1/notifications/?page_size=2")
    assert [row["text"] for row in rows] == ["Note 4", "Note 3", "Note 2", "Note 1", "Note 0"]
    assert [row["id"] for row in rows] == [notification.pk for notification in reversed(mine)]
    assert pages == 3


def test_the_docs_are_swagger_ui_served_from_the_sidecar(client, db):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    for asset in SWAGGER_ASSETS:
        assert f"/static/{asset}" in html
        assert finders.find(asset) is not None, f"{asset} is not installed: the docs would not work offline"
    assert "cdn" not in html.lower() and "https://" not in html
    # The split view serves its script as a file (no inline script under the CSP); it loads our schema.
    script = client.get("/api/v1/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"] == "application/javascript"
    assert "/api/v1/schema/" in script.content.decode()


def schema(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def resolve(document, reference):
    assert reference.startswith("#/components/schemas/")
    return document["components"]["schemas"][reference.removeprefix("#/components/schemas/")]


def test_the_schema_documents_the_error_shape_with_field_messages(client, db):
    document = schema(client)
    responses = document["paths"]["/api/v1/holidays/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404"} <= responses.keys()
    bad_request = resolve(document, responses["400"]["content"]["application/json"]["schema"]["$ref"])
    validation = resolve(document, bad_request["discriminator"]["mapping"]["validation_error"])
    assert validation["required"] == ["errors", "type"]
    assert resolve(document, validation["properties"]["type"]["$ref"])["enum"] == ["validation_error"]
    field_errors = resolve(document, validation["properties"]["errors"]["items"]["$ref"])
    assert set(field_errors["discriminator"]["mapping"]) == {"non_field_errors", "date", "name"}
    date_error = resolve(document, field_errors["discriminator"]["mapping"]["date"])
    assert date_error["properties"]["attr"]["enum"] == ["date"]
    assert set(date_error["required"]) == {"attr", "code", "detail"}
    # Client errors share one shape: {type: client_error, errors: [{code, detail, attr}]}.
    forbidden = resolve(document, responses["403"]["content"]["application/json"]["schema"]["$ref"])
    assert resolve(document, forbidden["properties"]["type"]["$ref"])["enum"] == ["client_error"]
    assert set(resolve(document, forbidden["properties"]["errors"]["items"]["$ref"])["required"]) == {
        "attr",
        "code",
        "detail",
    }


def test_a_400_has_the_documented_shape(plan_a, admin_a, make_api_client):
    response = make_api_client(admin_a).post("/api/v1/holidays/", {"date": "not a date", "name": ""})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert {(error["attr"], error["code"]) for error in body["errors"]} == {("date", "invalid"), ("name", "blank")}


def test_an_unrouted_api_path_is_a_json_404_and_a_page_path_the_page(client, settings):
    settings.DEBUG = False
    api = client.get("/api/v1/no-such-thing/")
    assert api.status_code == 404
    assert api.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
