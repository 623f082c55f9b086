"""The API's keyset cursors (issue 15 review F2): the cursor holds the boundary row's whole key, so a
list whose first key ties on more than 1,000 rows (the undated requests' due_sort, DOMAIN 5.1)
still gives every row exactly once, down the list and back up; a tampered cursor is the first page."""

import json
from base64 import urlsafe_b64encode
from datetime import UTC, datetime

import pytest
from django_scopes import scopes_disabled

from authorizations.models import AuthorizationRequest, RequestSource
from ecm_platform.tenancy.models import Role
from tests.factories import enrolled_member

TIES = 1_300  # past DRF's offset_cutoff of 1,000
DATED = 5


@pytest.fixture
def requests_tied(plan_a):
    """TIES undated requests (due_sort all 9999-12-31) after DATED ones due on one day."""
    with scopes_disabled():
        member = enrolled_member(plan_a)
        received = datetime(2026, 11, 16, 18, tzinfo=UTC)
        AuthorizationRequest.objects.bulk_create(
            AuthorizationRequest(
                plan=plan_a,
                member=member,
                source=RequestSource.SELF_REFERRAL,
                received_at=received,
                due_at=received if number < DATED else None,
                created_at=received,
                updated_at=received,
            )
            for number in range(DATED + TIES)
        )
        return list(
            AuthorizationRequest.objects.filter(plan=plan_a).order_by("due_sort", "id").values_list("id", flat=True)
        )


@pytest.fixture
def reviewer_api(plan_a, make_membership, make_api_client):
    return make_api_client(make_membership(plan_a, Role.REVIEWER))


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    body = response.json()
    return [row["id"] for row in body["results"]], body["next"], body["previous"]


def test_every_tied_request_comes_once_down_the_list_and_back_up(reviewer_api, requests_tied):
    down, url, previous = [], "/api/v1/authorizations/?page_size=100", None
    while url and len(down) < 20:  # DRF's cursor looped here for ever
        ids, url, previous = page(reviewer_api, url)
        down.append(ids)
    assert [pk for ids in down for pk in ids] == requests_tied  # each once, in the view's order
    assert len(down) == -(-(DATED + TIES) // 100)
    up = [down[-1]]
    while previous:
        ids, _, previous = page(reviewer_api, previous)
        up.append(ids)
    assert list(reversed(up)) == down


def cursor(direction: str, keys) -> str:
    return direction + "." + urlsafe_b64encode(json.dumps(keys).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "value",
    [
        "junk",
        "n.junk",
        "x.WyIyMDI2LTAxLTAxIiwxXQ",
        cursor("n", []),
        cursor("n", ["9999-12-31T00:00:00+00:00"]),
        cursor("n", ["not a date", 1]),
        cursor("p", ["0001-01-01T00:00:00+00:00", -(10**30)]),  # above the top, past bigint
        cursor("p", ["9999-12-31T00:00:00+00:00", float("inf")]),
        cursor("n", [{"a": 1}, [1]]),
        cursor("p", ["\u0000", 1]),
    ],
)
def test_a_tampered_cursor_is_the_first_page(reviewer_api, requests_tied, value):
    first, _, _ = page(reviewer_api, "/api/v1/authorizations/?page_size=20")
    ids, _, previous = page(reviewer_api, f"/api/v1/authorizations/?page_size=20&cursor={value}")
    assert (ids, previous) == (first, None)
