"""The Member Transition List upload page (DOMAIN 3.5; issue 15: imported as a background job with
its progress page, not in the request): the same capability as the API, the file's shape refused
at once, the rows checked by the job."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from authorizations.models import AuthorizationRequest
from ecm_platform import clocks
from ecm_platform.jobs.models import ImportJob, JobState
from ecm_platform.tenancy.models import Role

pytestmark = pytest.mark.usefixtures("in_plan_a")
URL = "/authorizations/transition-list/"


def csv_file(text: str) -> io.BytesIO:
    upload = io.BytesIO(text.encode())
    upload.name = "transition.csv"
    return upload


def test_an_upload_starts_the_job_and_goes_to_its_progress_page(
    client, coordinator_a, eligible_member_a, django_capture_on_commit_callbacks
):
    client.force_login(coordinator_a.user)
    assert client.get(URL).status_code == 200
    text = f"cin,program,transition_date\n{eligible_member_a.cin},hhp,2026-07-01\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"file": csv_file(text)})
    job = ImportJob.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/jobs/{job.pk}/")
    job.refresh_from_db()
    assert (job.state, job.source_name, job.report["created"]) == (JobState.SUCCEEDED, "transition.csv", 1)
    assert job.started_by == coordinator_a.user
    request = AuthorizationRequest.objects.get(member=eligible_member_a)
    assert (request.transition_program, str(request.services_started_on)) == ("hhp", "2026-07-01")


def test_only_who_may_import_the_list_gets_the_page(client, plan_a, make_membership):
    """The API's capability (TRANSITIONS_IMPORT): a reviewer is refused the page and the post."""
    client.force_login(make_membership(plan_a, Role.REVIEWER).user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": csv_file("cin,program,transition_date\n")}).status_code == 403
    assert not ImportJob.objects.exists()


def test_the_navigation_links_the_page_for_who_may_import_it(client, plan_a, coordinator_a, make_membership):
    client.force_login(coordinator_a.user)
    assert f'href="{URL}"' in client.get("/authorizations/").content.decode()
    client.force_login(make_membership(plan_a, Role.REVIEWER).user)
    assert f'href="{URL}"' not in client.get("/authorizations/").content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cin,program\n1,hhp\n", "The header lacks the columns: transition_date."),
        ("cin,program,transition_date\n1,hhp\n", "Line 2 has 2 values; the header has 3 columns."),
    ],
)
def test_a_file_of_the_wrong_shape_starts_no_job(client, coordinator_a, text, message):
    client.force_login(coordinator_a.user)
    response = client.post(URL, {"file": csv_file(text)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_second_list_while_one_imports_is_refused_with_the_running_job(client, coordinator_a):
    client.force_login(coordinator_a.user)
    text = "cin,program,transition_date\n99999999Z,wpc,2026-07-01\n"
    first = client.post(URL, {"file": csv_file(text)})  # outside a commit the job stays queued
    assert first.status_code == 302
    second = client.post(URL, {"file": csv_file(text)})
    assert second.status_code == 409
    running = ImportJob.objects.get()
    assert f"Import {running.pk} of this kind is queued" in second.content.decode()


def test_a_plan_b_list_naming_plan_a_members_imports_none_of_them(
    client, plan_b, make_membership, eligible_member_a, django_capture_on_commit_callbacks
):
    """ARCHITECTURE, Tenancy: the job runs in the uploader's plan, where plan A's CIN names nobody."""
    client.force_login(make_membership(plan_b, Role.CARE_COORDINATOR).user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"file": csv_file(f"cin,program,transition_date\n{eligible_member_a.cin},hhp,2026-07-01\n")}
        )
    assert response.status_code == 302
    with scopes_disabled():
        job = ImportJob.objects.get()
        assert (job.plan_id, job.state) == (plan_b.pk, JobState.FAILED)
        assert job.report["errors"][0]["field"] == "cin"
        assert not AuthorizationRequest.objects.filter(member=eligible_member_a).exists()


def test_the_page_and_its_post_stay_within_the_page_budget(client, coordinator_a):
    """Issue 15: at most 12 queries a page; the post's rows are the job's, so its cost is flat."""
    client.force_login(coordinator_a.user)
    client.get("/")  # the first request after login also writes the session
    with clocks.frozen(clocks.now()):
        with CaptureQueriesContext(connection) as page:
            assert client.get(URL).status_code == 200
        text = "cin,program,transition_date\n" + "".join(f"{n:08d}Z,wpc,2026-07-01\n" for n in range(200))
        with CaptureQueriesContext(connection) as post:
            assert client.post(URL, {"file": csv_file(text)}).status_code == 302
    assert (len(page) <= 12, len(post) <= 12) == (True, True), (len(page), len(post))
