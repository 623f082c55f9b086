"""DOMAIN 9: the limits checked before a Community Support is approved, against the member's other
granted authorizations in the plan: which count (granted, not denied or withdrawn; a
discontinuation cuts the days), the refusal of a limit without exceptions, the reason an exception
needs, and the allowance left shown for the member."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from authorizations.models import AuthorizationRequest, DenialReason, RequestSource, Status, WithdrawalReason
from authorizations.services.limits import member_allowances, request_limits, require_within_limits
from benefits.selectors import service_get
from ecm_platform import clocks
from ecm_platform.errors import DomainError
from tests.factories import enrolled_member


def cs_request(plan, member, code, *, status=Status.RECEIVED, start=None, end=None, quantity=None, **fields):
    now = clocks.now()
    with scopes_disabled():
        return AuthorizationRequest.objects.create(
            plan=plan, member=member, service=service_get(code), source=RequestSource.SELF_REFERRAL,
            received_at=now, created_at=now, updated_at=now, service_from=start, service_to=end,
            quantity=None if quantity is None else Decimal(quantity), status=status, **fields,
        )  # fmt: skip


def granted(plan, member, code, **fields):
    return cs_request(plan, member, code, status=Status.ACTIVE, decided_at=clocks.now(), decision="full", **fields)


pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def member(plan_a):
    return enrolled_member(plan_a)


def test_respite_hours_of_other_granted_authorizations_count_and_denied_ones_do_not(plan_a, member):
    # DOMAIN 9: Respite 336 hours per calendar year; an exception needs a reason.
    granted(plan_a, member, "respite", start=date(2026, 2, 1), end=date(2026, 2, 28), quantity=300)
    cs_request(plan_a, member, "respite", status=Status.DENIED, start=date(2026, 3, 1), end=date(2026, 3, 5),
               quantity=300, denial_reason=DenialReason.OTHER)  # fmt: skip
    cs_request(plan_a, member, "respite", status=Status.WITHDRAWN, start=date(2026, 4, 1), end=date(2026, 4, 5),
               quantity=300, withdrawal_reason=WithdrawalReason.MEMBER_DECLINED)  # fmt: skip
    fits = cs_request(plan_a, member, "respite", start=date(2026, 12, 1), end=date(2026, 12, 20), quantity=36)
    require_within_limits(plan=plan_a, request=fits, override_reason="")
    (finding,) = request_limits(plan=plan_a, request=fits)
    assert (finding.used, finding.proposed, finding.remaining) == (300, 36, 36)
    over = cs_request(plan_a, member, "respite", start=date(2026, 12, 21), end=date(2026, 12, 31), quantity=37)
    with pytest.raises(DomainError) as refused:
        require_within_limits(plan=plan_a, request=over, override_reason="")
    assert (refused.value.code, refused.value.field) == ("limit_override_reason_required", "limit_override_reason")
    require_within_limits(plan=plan_a, request=over, override_reason="The caregiver's shifts changed in December.")


def test_another_members_and_another_plans_authorizations_do_not_count(plan_a, plan_b, member):
    other = enrolled_member(plan_a)
    granted(plan_a, other, "home-modifications", quantity=7500)
    with scopes_disabled():
        granted(plan_b, enrolled_member(plan_b), "home-modifications", quantity=7500)
    asked = cs_request(plan_a, member, "home-modifications", quantity=7500)
    require_within_limits(plan=plan_a, request=asked, override_reason="")


def test_a_limit_without_exceptions_refuses_the_approval_whatever_the_reason(plan_a, member):
    # DOMAIN 9: post-hospitalization housing + recuperative care + transitional rent at most 6 months
    # in any rolling 12 (183 of 365 days), across the year end.
    granted(plan_a, member, "recuperative-care", start=date(2026, 10, 1), end=date(2026, 12, 29))
    granted(plan_a, member, "post-hospitalization-housing", start=date(2026, 12, 30), end=date(2027, 2, 27))
    at_the_cap = cs_request(plan_a, member, "transitional-rent", start=date(2027, 2, 28), end=date(2027, 4, 1))
    require_within_limits(plan=plan_a, request=at_the_cap, override_reason="")
    over = cs_request(plan_a, member, "transitional-rent", start=date(2027, 2, 28), end=date(2027, 4, 2))
    with pytest.raises(DomainError, match="any rolling 12") as refused:
        require_within_limits(plan=plan_a, request=over, override_reason="Medically necessary")
    assert (refused.value.code, refused.value.field) == ("limit_exceeded", "service_to")


def test_a_discontinuation_ends_the_days_that_count(plan_a, member):
    cs_request(plan_a, member, "recuperative-care", status=Status.DISCONTINUED, decided_at=clocks.now(),
               decision="full", start=date(2026, 6, 1), end=date(2026, 8, 29),
               discontinuation_effective_on=date(2026, 6, 11))  # fmt: skip
    # 10 days used (06-01 .. 06-10), not 90: 173 more fit in the rolling 12 months.
    fits = cs_request(plan_a, member, "transitional-rent", start=date(2026, 6, 11), end=date(2026, 11, 30))
    require_within_limits(plan=plan_a, request=fits, override_reason="")


def test_once_in_a_lifetime_then_one_documented_exception_then_no_more(plan_a, member):
    # DOMAIN 9: Housing Deposits once in a lifetime plus one documented exception.
    granted(plan_a, member, "housing-deposits", start=date(2024, 3, 1), end=date(2024, 3, 1), quantity=1800)
    second = cs_request(plan_a, member, "housing-deposits", start=date(2026, 12, 1), end=date(2026, 12, 1))
    with pytest.raises(DomainError) as refused:
        require_within_limits(plan=plan_a, request=second, override_reason=" ")
    assert refused.value.code == "limit_override_reason_required"
    require_within_limits(plan=plan_a, request=second, override_reason="Fled domestic violence: a new lease.")
    granted(plan_a, member, "housing-deposits", start=date(2025, 3, 1), end=date(2025, 3, 1))
    with pytest.raises(DomainError) as third:
        require_within_limits(plan=plan_a, request=second, override_reason="Another move")
    assert third.value.code == "limit_exceeded"


def test_ecm_has_no_limits(plan_a, member):
    ecm = cs_request(plan_a, member, "ecm")
    assert request_limits(plan=plan_a, request=ecm) == []
    require_within_limits(plan=plan_a, request=ecm, override_reason="")


def test_the_member_allowance_left_per_service(plan_a, member, django_assert_max_num_queries):
    # The remaining allowance shown on the member (issue 17): respite hours this year, a lifetime cap.
    granted(plan_a, member, "respite", start=date(2026, 3, 1), end=date(2026, 3, 10), quantity=100)
    granted(plan_a, member, "asthma-remediation", start=date(2025, 1, 1), end=date(2025, 1, 1), quantity=2500)
    with django_assert_max_num_queries(4):
        allowances = {
            service.code: findings
            for service, findings in member_allowances(plan=plan_a, member=member, on=date(2026, 12, 1))
        }
    assert allowances["respite"][0].remaining == Decimal(236)
    assert allowances["asthma-remediation"][0].remaining == Decimal(5000)
    assert allowances["home-modifications"][0].remaining == Decimal(7500)
    assert "ecm" not in allowances
