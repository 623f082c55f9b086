"""Loading outreach attempts in bulk through the plan API (DOMAIN 8): all or nothing, every row's
errors at `attempts.<index>.<field>`, the documented row limit exactly and one over, a body too
large refused before it is read, bodies that are no JSON."""

import json
from datetime import timedelta

import pytest

from ecm_platform.tenancy.models import Role
from outreach.attempts_api import BULK_BYTES
from outreach.models import Attempt
from outreach.services import BULK_ROWS
from tests.conftest import api_client_of, membership_of
from tests.outreach.test_api import AT, attempt
from tests.outreach.world import engagement_of, identified_member, synced

pytestmark = pytest.mark.usefixtures("in_plan_a")

BULK = "/api/v1/outreach/attempts/bulk/"


@pytest.fixture
def integrator(plan_a):
    return api_client_of(membership_of(plan_a, Role.INTEGRATOR))


@pytest.fixture
def engagements(plan_a):
    members = [identified_member(plan_a) for _ in range(2)]
    synced(plan_a)
    return [engagement_of(plan_a, member) for member in members]


def errors_of(response) -> list[tuple[str, str]]:
    return [(error["attr"], error["code"]) for error in response.json()["errors"]]


def test_an_integrator_loads_attempts_with_their_verdicts(engagements, integrator):
    """DOMAIN 8: an email asking for a response counts; one that only informs is marketing."""
    rows = [
        attempt(engagements[0], method="email", outcome="no_answer", asks_for_response=True),
        attempt(engagements[1], method="email", outcome="no_answer", asks_for_response=False),
    ]
    response = integrator.post(BULK, {"attempts": rows}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["recorded"] == 2
    assert [(row["engagement"], row["counts"]) for row in body["attempts"]] == [
        (engagements[0].pk, True), (engagements[1].pk, False),
    ]  # fmt: skip
    assert Attempt.objects.count() == 2


def test_every_rows_errors_are_listed_and_nothing_is_recorded(plan_b, engagements, integrator):
    """One bad row records nothing; type errors and the rules' errors come back in one answer."""
    rows = [
        attempt(engagements[0]),
        attempt(engagements[1], method="in_person", outcome="prerecorded_message"),
        attempt(engagements[0], minutes="ten", attempted_at="yesterday"),
        "not a row",
        attempt(engagements[1], notes="n" * 2001, staff="nobody-here"),
        attempt(engagements[0]) | {"engagement": 999_999_999},
    ]
    response = integrator.post(BULK, {"attempts": rows}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [
        ("attempts.1.outcome", "impossible_outcome"),
        ("attempts.2.attempted_at", "invalid"),
        ("attempts.2.minutes", "invalid"),
        ("attempts.3", "invalid"),
        ("attempts.4.notes", "max_length"),
        ("attempts.4.staff", "invalid_staff"),
        ("attempts.5.engagement", "not_found"),
    ]
    assert Attempt.objects.count() == 0


def test_another_plans_engagement_is_a_row_error(plan_b, engagements):
    """Tenancy: plan B's integrator names plan A's engagement: not found, nothing recorded."""
    other = api_client_of(membership_of(plan_b, Role.INTEGRATOR))
    response = other.post(BULK, {"attempts": [attempt(engagements[0])]}, format="json")
    assert errors_of(response) == [("attempts.0.engagement", "not_found")]
    assert Attempt.objects.count() == 0


def test_the_documented_limit_exactly_with_the_longest_notes(engagements, integrator):
    """BULK_ROWS rows, each note at its 2,000-character limit, fit the body limit and are recorded."""
    rows = [
        attempt(engagements[number % 2], attempted_at=(AT + timedelta(minutes=number)).isoformat(), notes="é" * 2000)
        for number in range(BULK_ROWS)
    ]
    body = json.dumps({"attempts": rows}).encode()  # every "é" as a six-byte escape
    assert 12_000_000 < len(body) <= BULK_BYTES
    response = integrator.post(BULK, body, content_type="application/json")
    assert response.status_code == 201, response.content[:500]
    assert response.json()["recorded"] == BULK_ROWS == Attempt.objects.count()


def test_one_row_over_the_limit_is_refused_before_any_row_is_read(engagements, integrator):
    rows = [{"garbage": number} for number in range(BULK_ROWS + 1)]
    response = integrator.post(BULK, {"attempts": rows}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("attempts", "max_length")]
    assert "nothing was checked" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [({}, "attempts", "required"), ({"attempts": None}, "attempts", "null"), ({"attempts": {}}, "attempts", "not_a_list"),
     ({"attempts": []}, "attempts", "empty"), ([], "non_field_errors", "invalid")],
)  # fmt: skip
def test_a_body_that_is_no_list_of_rows(integrator, body, attr, code):
    response = integrator.post(BULK, body, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [(attr, code)]


@pytest.mark.parametrize("body", [b'{"attempts": [{"notes": "caf\xe9"}]}', b"engagement,method\n1,email\n", b"{"])
def test_a_body_that_is_no_json_is_a_parse_error(integrator, body):
    """A Latin-1 byte, CSV, a truncated object: 400 parse_error, never a 500."""
    response = integrator.post(BULK, body, content_type="application/json")
    assert response.status_code == 400
    assert errors_of(response) == [(None, "parse_error")]
    assert Attempt.objects.count() == 0


def test_a_body_over_the_byte_limit_is_refused_before_it_is_read(integrator):
    body = b'{"attempts": ["' + b"x" * BULK_BYTES + b'"]}'
    response = integrator.post(BULK, body, content_type="application/json")
    assert response.status_code == 413
    assert errors_of(response) == [(None, "request_too_large")]


def test_a_single_create_keeps_the_ordinary_body_limit(engagements, integrator, settings):
    """The larger limit is the bulk load's only."""
    body = json.dumps(attempt(engagements[0], notes="x" * 2000)).encode()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body) - 1
    response = integrator.post("/api/v1/outreach/attempts/", body, content_type="application/json")
    assert response.status_code == 413


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.REPORTING_ANALYST])
def test_a_role_that_does_not_record_cannot_load(plan_a, engagements, role):
    client = api_client_of(membership_of(plan_a, role))
    response = client.post(BULK, {"attempts": [attempt(engagements[0])]}, format="json")
    assert response.status_code == 403
    assert Attempt.objects.count() == 0
