"""The Member Transition List moves WPC members into Community Supports (FAQ 50: "transition all
WPC Pilot Members to Community Supports ... that the MCP elects to offer corresponding to the WPC
service each individual is receiving. The MTL will identify these individuals"; DOMAIN 3.5, 9):
each Community Support the row names, offered in the member's county on the transition date, is
authorized from that date with its provider placement and the approval letter; a bad row refuses
the whole list; `ecm=no` moves a member into Community Supports only."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from authorizations import services
from authorizations.models import AuthorizationRequest, Notice, NoticeType, RequestSource, Status
from ecm_platform import clocks
from ecm_platform.jobs.models import ImportJob, JobState
from ecm_platform.tenancy.models import Membership
from providers.models import Assignment, ServiceAssignment
from tests.community_supports.test_cs_requests import build_world, cs_contract, elect, submit
from tests.factories import enrolled_member
from tests.providers.test_assignments import NPIS, organization

pytestmark = pytest.mark.usefixtures("in_plan_a")
TODAY = datetime(2026, 11, 16, 10, tzinfo=ZoneInfo("America/Los_Angeles"))
DAY = "2026-07-01"  # sobering centers and respite are elected in county 01 from 2026-01-01


@pytest.fixture
def world(plan_a, make_membership):
    return build_world(plan_a, make_membership)


def row(world, member=None, program="wpc", **columns):
    return {"cin": (member or world.member).cin, "program": program, "transition_date": DAY, **columns}


def imported(world, *rows):
    with clocks.frozen(TODAY):
        return services.transition_import(plan=world.plan, actor=world.coordinator, rows=list(rows))


def requests_of(member):
    return {r.service.code: r for r in AuthorizationRequest.objects.filter(member=member).select_related("service")}


def test_a_wpc_member_moves_into_ecm_and_the_community_supports_the_row_names(world):
    """FAQ 50: respite (by name) and sobering centers (by code) beside ECM, each active from the
    transition date, placed with the member's WPC provider named on the row, each with its approval
    letter; the six-month reassessment is ECM's only (DOMAIN 3.5)."""
    report = imported(world, row(world, provider_npi=NPIS[0], community_supports="Respite Services; sobering-centers"))
    assert report == {"created": 1, "unchanged": 0, "errors": []}
    held = requests_of(world.member)
    assert sorted(held) == ["ecm", "respite", "sobering-centers"]
    for code in ("respite", "sobering-centers"):
        request = held[code]
        assert (request.status, request.source) == (Status.ACTIVE, RequestSource.TRANSITION)
        assert (str(request.services_started_on), str(request.service_from), request.reassessment_due) == (
            DAY, DAY, None,
        )  # fmt: skip
        assert request.service_assignment.organization == world.bayside
        assert request.service_assignment.service.code == code
        assert Notice.objects.filter(request=request, notice_type=NoticeType.APPROVAL).count() == 1
    assert held["ecm"].reassessment_due is not None
    assert Assignment.objects.get(member=world.member).contract.organization == world.bayside


def test_ecm_no_moves_a_member_into_community_supports_only(world):
    """FAQ 50 and DOMAIN 9 (a member need not have ECM): ecm=no, respite only; a second import of
    the same row changes nothing."""
    line = row(world, community_supports="respite", ecm="no")
    assert imported(world, line) == {"created": 1, "unchanged": 0, "errors": []}
    assert sorted(requests_of(world.member)) == ["respite"]
    assert not Assignment.objects.filter(member=world.member).exists()
    assert imported(world, line) == {"created": 0, "unchanged": 1, "errors": []}
    assert AuthorizationRequest.objects.filter(member=world.member).count() == 1


def test_a_named_provider_without_the_service_leaves_the_choice_to_the_usual_order(world):
    """DOMAIN 9: the row's provider holds no respite line, so a contracted respite provider in the
    member's county takes the member (Bayside)."""
    meals_only = organization(world.plan, 1)
    cs_contract(world.plan, meals_only, {"medically-tailored-meals": 5})
    imported(world, row(world, provider_npi=NPIS[1], community_supports="respite", ecm="no"))
    assert ServiceAssignment.objects.get(member=world.member).organization == world.bayside


def test_an_old_name_is_known(world):
    """DOMAIN 9: a list keeps the wording of its day: ALF Transitions by its name before 2025."""
    elect(world.plan, "alf-transitions")
    old = "Nursing Facility Transition/Diversion to Assisted Living Facilities"
    assert imported(world, row(world, community_supports=old, ecm="no"))["errors"] == []
    assert sorted(requests_of(world.member)) == ["alf-transitions"]
    assert requests_of(world.member)["alf-transitions"].service_assignment is None  # no provider of it yet


@pytest.mark.parametrize(
    ("columns", "field", "words"),
    [
        ({"community_supports": "massage"}, "community_supports", "No service of the catalogue is named 'massage'"),
        ({"community_supports": "ecm"}, "community_supports", "is not a Community Support"),
        ({"community_supports": "medically-tailored-meals"}, "community_supports", "does not offer Medically"),
        ({"program": "hhp", "community_supports": "respite"}, "community_supports", "Only WPC members"),
        ({"ecm": "no"}, "ecm", "names the Community Supports"),
        ({"ecm": "maybe"}, "ecm", "Write yes or no"),
    ],
)
def test_a_bad_row_refuses_the_whole_list(world, columns, field, words):
    """FAQ 50: an unknown service, ECM in the column, a service not offered in the county on that
    day, an HHP row naming one, ecm=no naming none: the row's error, and nothing imported, not even
    the good row."""
    good = row(world, member=enrolled_member(world.plan), community_supports="respite")
    report = imported(world, good, row(world, **columns))
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(2, field)]
    assert words in report["errors"][0]["message"]
    assert not AuthorizationRequest.objects.exists() and not ServiceAssignment.objects.exists()


def test_a_member_already_holding_the_service_is_a_row_error(world):
    """DOMAIN 9: one live request per member and service: a respite referral in review refuses the row."""
    held = submit(world, "respite")
    refused = imported(world, row(world, community_supports="respite", ecm="no"))
    assert [(e["field"], e["message"]) for e in refused["errors"]] == [
        ("community_supports", f"{world.member.cin} already holds Respite Services (request {held.pk}).")
    ]


def test_the_upload_page_takes_the_columns_and_documents_them(world, client, django_capture_on_commit_callbacks):
    """FAQ 50: the page names the optional columns; a CSV with them imports the Community Supports."""
    client.force_login(world.coordinator)
    page = client.get("/authorizations/transition-list/").content.decode()
    assert "<code>community_supports</code> (WPC rows only)" in page and "<code>ecm</code>" in page
    upload = io.BytesIO(
        f"cin,program,transition_date,community_supports,ecm\n{world.member.cin},wpc,{DAY},respite;sobering-centers,no\n".encode()
    )
    upload.name = "mtl.csv"
    with clocks.frozen(TODAY), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/authorizations/transition-list/", {"file": upload})
    assert response.status_code == 302
    assert ImportJob.objects.get().state == JobState.SUCCEEDED
    assert sorted(requests_of(world.member)) == ["respite", "sobering-centers"]


def test_the_api_takes_the_columns_too(world, make_api_client, django_capture_on_commit_callbacks):
    """FAQ 50 through /api/v1/transition-imports/: the same optional columns as the upload page."""
    api = make_api_client(Membership.objects.get(user=world.coordinator, plan=world.plan))
    rows = [row(world, community_supports="respite", ecm="no")]
    with clocks.frozen(TODAY), django_capture_on_commit_callbacks(execute=True):
        started = api.post("/api/v1/transition-imports/", {"rows": rows}, format="json")
    assert started.status_code == 202, started.json()
    assert api.get(started.json()["url"]).json()["report"]["created"] == 1
    assert sorted(requests_of(world.member)) == ["respite"]
