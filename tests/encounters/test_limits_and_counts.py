"""Community Supports limits on each encounter (DOMAIN 9) and the quarter's ECM counts per member
(DOMAIN 10). Respite is 336 hours a calendar year, with exceptions (per diem = 24 hours);
recuperative care is at most 90 continuous days, without."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authorizations.models import AuthorizationRequest, RequestSource, Status
from benefits.models import CatalogueService
from ecm_platform import clocks
from encounters.invoices import invoice_import
from encounters.models import Encounter
from encounters.selectors import ecm_encounter_counts
from members.models import Member
from tests.encounters.test_invoices import TODAY, errors_of, run
from tests.encounters.world import HARBOR_NPI, encounter_world, line, rows

pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def world(plan_a, make_membership):
    return encounter_world(plan_a, make_membership)


def respite(**fields):
    return line(provider_npi=HARBOR_NPI, hcpcs="H0045", modifier_1="U6", **fields)


def authorize(world, code, override_reason=""):
    return AuthorizationRequest.objects.create(
        plan=world.plan, member=world.member, service=CatalogueService.objects.get(code=code),
        source=RequestSource.PROVIDER_REFERRAL, received_at=TODAY, due_at=TODAY, status=Status.ACTIVE,
        decision="full", decided_at=TODAY, services_started_on=date(2026, 1, 1), service_from=date(2026, 1, 1),
        service_to=date(2026, 12, 31), limit_override_reason=override_reason, created_at=TODAY, updated_at=TODAY,
    )  # fmt: skip


def test_respite_up_to_336_hours_a_year_passes_and_one_day_more_is_a_row_error(world):
    """14 days per diem = 336 hours: the limit; a 15th day passes it, in the same file or later."""
    report = run(world, respite(service_from="2026-03-01", service_to="2026-03-14", units="14"))
    assert report["errors"] == []
    later = run(world, respite(line_number="2", service_from="2026-04-01", units="1"))
    assert errors_of(later) == [(1, "units")]
    assert "336 hours allowed" in later["errors"][0]["message"]
    assert "records no exception" in later["errors"][0]["message"]


def test_the_files_own_earlier_lines_count_and_nothing_is_half_applied(world):
    report = run(
        world,
        respite(service_from="2026-03-01", service_to="2026-03-10", units="10"),
        respite(line_number="2", service_from="2026-05-01", service_to="2026-05-05", units="5"),
    )
    assert errors_of(report) == [(2, "units")]
    assert not Encounter.objects.exists()


def test_an_authorization_with_the_exception_recorded_lets_it_pass(world):
    authorization = authorize(world, "respite", override_reason="The caregiver was hospitalized")
    run(world, respite(service_from="2026-03-01", service_to="2026-03-14", units="14"))
    report = run(world, respite(line_number="2", service_from="2026-04-01", units="1"))
    assert report["errors"] == []
    assert Encounter.objects.get(line_number=2).authorization_request == authorization


def test_a_limit_without_exceptions_is_a_row_error_whatever_the_authorization(world):
    """Recuperative care: at most 90 continuous days (DOMAIN 9)."""
    authorize(world, "recuperative-care", override_reason="asked")
    recuperative = {"provider_npi": HARBOR_NPI, "hcpcs": "T2033", "modifier_1": "U6"}
    report = run(world, line(service_from="2026-06-01", service_to="2026-08-30", units="91", **recuperative))
    assert errors_of(report) == [(1, "units")]
    assert (
        run(world, line(service_from="2026-06-01", service_to="2026-08-29", units="90", **recuperative))["errors"] == []
    )


def test_the_quarters_ecm_counts_per_member_in_person_telephonic_and_outreach(world):
    """DOMAIN 10: counts of in-person and telephonic or telehealth encounters per member."""
    with clocks.frozen(TODAY):
        invoice_import(
            plan=world.plan, actor=world.coordinator,
            rows=rows(
                line(), line(line_number="2", modifier_2="GQ"), line(line_number="3", hcpcs="G9012", modifier_1="U2"),
                line(line_number="4", modifier_1="U8", modifier_2="GQ"),
                line(line_number="5", service_from="2026-09-30"),  # the third quarter
            ),
        )  # fmt: skip
    counts = list(ecm_encounter_counts(plan=world.plan, principal=world.analyst, year=2026, quarter=4))
    assert counts == [
        {"member_id": world.member.pk, "member__cin": "91234567A", "in_person_encounters": 2, "telephonic_encounters": 1,
         "outreach_attempts": 1},
    ]  # fmt: skip
    third = list(ecm_encounter_counts(plan=world.plan, principal=world.analyst, year=2026, quarter=3))
    assert [(row["in_person_encounters"], row["telephonic_encounters"]) for row in third] == [(1, 0)]
    assert Encounter.objects.filter(units=Decimal(1)).count() == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks (it locks the whole file)")
def test_the_limits_are_weighed_under_the_members_lock_in_the_writes_transaction(world):
    """DOMAIN 9: two uploads for one member must not each pass a limit the two together exceed. The
    member's row is locked (FOR UPDATE) inside the transaction that writes, before its encounters
    are counted, so a second upload waits and then counts the first one's lines."""
    with CaptureQueriesContext(connection) as queries:
        assert run(world, respite(service_from="2026-03-01", units="1"))["created"] == 1
    sql = [query["sql"] for query in queries.captured_queries]
    members, encounters = Member._meta.db_table, Encounter._meta.db_table
    locked = next(i for i, q in enumerate(sql) if f'FROM "{members}"' in q and "FOR UPDATE" in q)
    counted = next(i for i, q in enumerate(sql) if f'FROM "{encounters}"' in q and "service_from" in q)
    written = next(i for i, q in enumerate(sql) if q.startswith(f'INSERT INTO "{encounters}"'))
    opened = max(i for i, q in enumerate(sql[:locked]) if q.startswith("SAVEPOINT"))
    assert opened < locked < counted < written
    assert not any(q.startswith("RELEASE SAVEPOINT") for q in sql[opened:written])
