"""Keyset pages of the browser lists: older and newer by id, without counting the table."""

import pytest
from django.http import QueryDict
from django_scopes import scopes_disabled

from ecm_platform.notifications.models import Notification
from ecm_platform.notifications.services import notification_send
from ecm_platform.pagination import keyset_page


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
