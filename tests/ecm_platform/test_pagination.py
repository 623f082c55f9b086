"""Keyset pages of the browser lists: older and newer by id, without counting the table."""

import json
import re
from base64 import urlsafe_b64encode
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import QueryDict
from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.notifications.models import Notification
from ecm_platform.notifications.services import notification_send
from ecm_platform.pagination import keyset_page, keyset_page_ordered
from ecm_platform.tenancy.models import Role
from eligibility.models import Determination, DeterminationSource, PopulationOfFocus
from tests.factories import enrolled_member


@pytest.fixture
def notifications(plan_a, admin_a):
    with scopes_disabled():
        for number in range(7):
            notification_send(plan=plan_a, recipient=admin_a.user, text=f"Notice {number}")
        yield Notification.objects.filter(plan=plan_a).order_by("-id")


def walk(rows, query):
    page = keyset_page(rows, QueryDict(query), size=3)
    ids = sorted({row.pk for row in rows}, reverse=True)
    return [ids.index(row.pk) for row in page.rows], page


def test_pages_go_older_and_back_newer(notifications):
    with scopes_disabled():
        ids = list(notifications.values_list("pk", flat=True))
        first, page = walk(notifications, "")
        assert (first, page.has_newer, page.older_than) == ([0, 1, 2], False, ids[2])
        second, page = walk(notifications, f"before={ids[2]}")
        assert (second, page.newer_than, page.older_than) == ([3, 4, 5], ids[3], ids[5])
        last, page = walk(notifications, f"before={ids[5]}")
        assert (last, page.newer_than, page.has_older) == ([6], ids[6], False)
        back, page = walk(notifications, f"after={ids[6]}")
        assert (back, page.newer_than, page.older_than) == ([3, 4, 5], ids[3], ids[5])
        top, page = walk(notifications, f"after={ids[3]}")
        assert (top, page.has_newer, page.older_than) == ([0, 1, 2], False, ids[2])
        assert walk(notifications, "before=junk")[0] == [0, 1, 2]


def test_the_pager_links_both_ways(client, admin_a, notifications):
    with scopes_disabled():
        middle = list(notifications.values_list("pk", flat=True))[2]
    client.force_login(admin_a.user)
    html = client.get(f"/notifications/?before={middle}").content.decode()
    assert "Newer entries" in html  # the four older ones fit on one page of 50: nothing older
    assert "Older entries" not in html


def walk_all(rows, size=3):
    """Every page down the list by `before`, then every page back up by `after`."""
    down, query = [], ""
    while True:
        page = keyset_page_ordered(rows, QueryDict(query), size=size)
        down.append([row.pk for row in page.rows])
        if not page.has_older:
            break
        query = urlencode({"before": page.older_than})
    up = [down[-1]]
    while page.has_newer:
        page = keyset_page_ordered(rows, QueryDict(urlencode({"after": page.newer_than})), size=size)
        up.append([row.pk for row in page.rows])
    return down, up


def test_any_ordering_pages_through_every_row_once_both_ways(plan_a, admin_a):
    """Issue 15: worklists page in their own order (ties, descending keys, NULL last, annotations)."""
    with scopes_disabled():
        for number in range(11):
            notification = notification_send(plan=plan_a, recipient=admin_a.user, text=f"Notice {number % 3}")
            if number % 4:  # some read (at one of two instants), some never
                Notification.objects.filter(pk=notification.pk).update(
                    read_at=datetime(2026, 1, 1 + number % 2, tzinfo=UTC)
                )
        notifications = Notification.objects.filter(plan=plan_a)
        for ordering, annotate in [
            (["read_at", "-text", "id"], {}),
            (["-read_at", "text", "-id"], {}),
            (
                ["was_read", "-id"],
                {"was_read": ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField())},
            ),
        ]:
            rows = notifications.annotate(**annotate).order_by(*ordering)
            expected = in_order(rows, ordering)
            down, up = walk_all(rows)
            assert [pk for page in down for pk in page] == expected, ordering
            assert [pk for page in reversed(up) for pk in page] == expected, ordering
            assert [len(page) for page in down] == [3, 3, 3, 2]


def in_order(rows, ordering) -> list[int]:
    """Python's version of the order (a stable sort per key, last key first): NULL is the largest."""
    rows = list(rows)
    for name in reversed(ordering):
        field = name.lstrip("-")
        rows.sort(key=lambda row: (getattr(row, field) is None, getattr(row, field) or 0), reverse=name.startswith("-"))
    return [row.pk for row in rows]


def test_a_mangled_pager_value_shows_the_first_page(plan_a, admin_a, notifications):
    with scopes_disabled():
        rows = notifications.order_by("read_at", "id")
        first = keyset_page_ordered(rows, QueryDict(""), size=3).rows
        for junk in ["junk", "W10", "WyJ4Il0", "WyJ4IiwiMSJd"]:  # not JSON, [], ["x"], ["x","1"]
            assert keyset_page_ordered(rows, QueryDict(f"before={junk}"), size=3).rows == first


def test_an_ordering_must_end_in_the_id(plan_a, notifications):
    with scopes_disabled(), pytest.raises(ValueError, match="ending in the id"):
        keyset_page_ordered(notifications.order_by("read_at"), QueryDict(""))


def test_a_pager_value_holding_nul_shows_the_first_page(client, plan_a, make_membership):
    """Review F5 (issue 15): text keys with NUL, which no stored text holds (psycopg2 refuses to send
    it: a 500 on PostgreSQL), are a mangled value like any other, through the worklist's name sort."""
    with scopes_disabled():
        pof = PopulationOfFocus.objects.get(code="HIGH_UTILIZER")
        for name in ("Adams", "Baker"):
            Determination.objects.create(
                plan=plan_a, member=enrolled_member(plan_a, last_name=f"Pager{name}"), pof=pof,
                source=DeterminationSource.REFERRAL, start_date=date(2026, 3, 1), created_at=clocks.now(),
                updated_at=clocks.now(),
            )  # fmt: skip
    client.force_login(make_membership(plan_a, Role.REVIEWER).user)
    nul = urlsafe_b64encode(json.dumps(["\u0000", "a", 1]).encode()).decode()
    for pager in ("before", "after"):
        response = client.get(f"/eligibility/worklist/?pof=HIGH_UTILIZER&sort=name&{pager}={nul}")
        assert response.status_code == 200
        assert re.findall(r"Pager(\w+),", response.content.decode()) == ["Adams", "Baker"]
