"""In-app notifications with an email hand-off; other apps call the service explicitly."""

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from ecm_platform.errors import DomainError
from ecm_platform.notifications.models import Notification
from ecm_platform.notifications.services import notification_send
from ecm_platform.notifications.tasks import notification_email
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import plan_scope


@pytest.fixture
def reviewer(plan_a, make_membership):
    return make_membership(plan_a, Role.REVIEWER)


def send(plan, membership, **kwargs):
    with plan_scope(plan):
        return notification_send(plan=plan, recipient=membership.user, **kwargs)


def test_email_is_handed_off_after_commit(plan_a, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = send(plan_a, reviewer, text="Request 12 is due in 6 hours", link="/", email=True)
        assert mail.outbox == []  # nothing leaves before the data is committed
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reviewer.user.email]
    assert message.subject == "[Alpha Health Plan] Request 12 is due in 6 hours"
    assert message.body.endswith("http://127.0.0.1:8000/")
    with scopes_disabled():
        notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_email_task_is_idempotent(plan_a, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(plan_a, reviewer, text="Once", email=True)
    assert notification_email.delay(plan_id=plan_a.pk, notification_id=notification.pk).get() is False
    assert notification_email.delay(plan_id=plan_a.pk, notification_id=999999).get() is False
    assert len(mail.outbox) == 1


def test_only_people_of_the_plan_are_notified_and_links_stay_inside(plan_a, plan_b, make_membership, reviewer):
    outsider = make_membership(plan_b, Role.REVIEWER)
    with pytest.raises(DomainError, match="does not work for"):
        send(plan_a, outsider, text="hello")
    with pytest.raises(DomainError, match="inside the platform"):
        send(plan_a, reviewer, text="hello", link="https://evil.example/")


def test_bell_count_list_open_and_read_all(client, plan_a, reviewer):
    first = send(plan_a, reviewer, text="First", link="/notifications/")
    send(plan_a, reviewer, text="Second")
    client.force_login(reviewer.user)
    home = client.get("/").content.decode()
    assert "Notifications, 2 unread" in home
    listing = client.get("/notifications/").content.decode()
    assert listing.index("Second") < listing.index("First")
    opened = client.post(f"/notifications/{first.pk}/open/")
    assert opened["Location"] == "/notifications/"
    assert "Notifications, 1 unread" in client.get("/").content.decode()
    client.post("/notifications/read-all/")
    assert "unread" not in client.get("/").content.decode().split("<main")[0]


def test_someone_elses_notification_is_404(client, plan_a, reviewer, make_membership):
    notification = send(plan_a, reviewer, text="Private")
    colleague = make_membership(plan_a, Role.REVIEWER)
    client.force_login(colleague.user)
    assert client.post(f"/notifications/{notification.pk}/open/").status_code == 404
    with scopes_disabled():
        assert Notification.objects.get(pk=notification.pk).read_at is None


def test_the_api_lists_and_marks_the_callers_notifications(plan_a, reviewer, make_api_client):
    notification = send(plan_a, reviewer, text="API")
    client = make_api_client(reviewer)
    assert [row["text"] for row in client.get("/api/v1/notifications/").json()["results"]] == ["API"]
    read = client.post(f"/api/v1/notifications/{notification.pk}/read/")
    assert read.json()["is_read"] is True
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 0}


def test_the_notification_list_needs_bounded_queries(client, plan_a, reviewer, django_assert_max_num_queries):
    for number in range(30):
        send(plan_a, reviewer, text=f"Note {number}")
    client.force_login(reviewer.user)
    with django_assert_max_num_queries(12):
        client.get("/notifications/")
