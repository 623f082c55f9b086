"""The member page runs the same number of queries for a member with one determination, claim and
program as for one with many (no query per row; issue 9, "bounded number of queries")."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from eligibility import rules
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.scan import high_utilizer_scan
from eligibility.selectors import member_eligibility
from eligibility.services import determination_record
from members.models import Program, ProgramRule, ProgramTreatment
from members.services import program_enrollment_add
from tests.factories import EventFactory, enrolled_member

AS_OF = date(2026, 10, 1)
WRAP_PROGRAMS = ["cbas", "county_tcm", "smhs_tcm", "dmc_ods", "ghpp", "ccs", "smhs_icc"]
ADULT_POFS = ["HOMELESS", "SMI_SUD", "INCARCERATION", "LTC_RISK", "NF_TRANSITION"]


def attest(plan, member, code, start=date(2025, 1, 1)):
    pof = PopulationOfFocus.objects.get(code=code)
    determination_record(
        plan=plan, member=member, pof=pof, source=DeterminationSource.ATTESTATION, start_date=start,
        criteria_met=pof.criteria, actor=OPERATOR,
    )  # fmt: skip


def join(plan, member, code, start=date(2025, 1, 1), end=None):
    program = Program.objects.get(code=code)
    program_enrollment_add(plan=plan, member=member, program=program, start_date=start, end_date=end, actor=OPERATOR)


def member_with(plan, size):
    """A member with `size` wrap programs (plus as many ended ones), `size` adult POFs and, from
    `size` ED visits, a scan determination with that many counted claims."""
    member = enrolled_member(plan)
    for code in WRAP_PROGRAMS[:size]:
        join(plan, member, code)
        join(plan, member, code, start=date(2023, 1, 1), end=date(2024, 12, 31))
    for code in ADULT_POFS[:size]:
        attest(plan, member, code)
    for week in range(max(size, 5)):
        EventFactory(member=member, service_date=date(2026, 4, 6) + timedelta(weeks=week))
    return member


def page_queries(client, member):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/members/{member.pk}/?as_of={AS_OF}")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_member_page_does_not_query_per_determination_claim_or_program(client, plan_a, admin_a):
    with scopes_disabled():
        few, many = member_with(plan_a, 1), member_with(plan_a, 5)
        with clocks.frozen(datetime(2026, 10, 1, 2, 0, tzinfo=ZoneInfo("America/Los_Angeles"))):
            high_utilizer_scan(plan=plan_a, data_month=date(2026, 9, 1), actor=OPERATOR)
    client.force_login(admin_a.user)
    page_queries(client, few)  # the first request after login also writes the session
    few_count, few_page = page_queries(client, few)
    many_count, many_page = page_queries(client, many)
    assert many_count == few_count
    assert "Eligible, with non-duplication" in few_page and "Eligible, with non-duplication" in many_page
    assert many_page.count("Also in ") == 5  # DOMAIN 4: one non-duplication reason per wrap program


@pytest.fixture
def unscoped():
    with scopes_disabled():
        yield


def test_the_rule_in_force_on_the_date_decides_the_treatment(plan_a, unscoped):
    # DOMAIN 4: the rules are data with effective dates; the member's facts use the version in force
    member = enrolled_member(plan_a)
    attest(plan_a, member, "SMI_SUD")
    join(plan_a, member, "ccs")
    ccs = Program.objects.get(code="ccs")
    ProgramRule.objects.filter(program=ccs, effective_to__isnull=True).update(effective_to=date(2026, 6, 30))
    ProgramRule.objects.create(program=ccs, treatment=ProgramTreatment.EITHER_OR, effective_from=date(2026, 7, 1))
    before = member_eligibility(plan=plan_a, member=member, day=date(2026, 6, 30))
    after = member_eligibility(plan=plan_a, member=member, day=date(2026, 7, 1))
    assert (before.outcome, after.outcome) == (rules.Outcome.ELIGIBLE_WITH_WRAP, rules.Outcome.NEEDS_MEMBER_CHOICE)
