"""Notices of the lifecycle (DOMAIN 5.3: the four FAQ 13 scenarios, discontinuation and presumptive
notices) and transition members (DOMAIN 3.5), through the services."""

from datetime import date, timedelta

import pytest

from authorizations import services
from authorizations.models import (
    AuthorizationRequest,
    Decision,
    DenialReason,
    DiscontinuationProposer,
    DiscontinuationReason,
    NoticeType,
    RequestSource,
    Status,
    WithdrawalReason,
)
from authorizations.services.settings import authorization_settings_update
from ecm_platform import clocks
from ecm_platform.errors import DomainError
from providers.models import Assignment
from tests.authorizations.helpers import (
    homeless_member,
    in_review,
    reload,
    start_presumptive,
    start_services,
)
from tests.factories import enrolled_member

pytestmark = pytest.mark.usefixtures("in_plan_a")


# --- DOMAIN 5.3: the four FAQ 13 scenarios, and the other notices ------------------------------------


def test_faq13_scenario_1_unreachable_enrolled_member_is_discontinued_with_a_notice(
    plan_a, coordinator, reviewer, member, provider, at_monday
):
    # DOMAIN 5.3 scenario 1: enrolled, provider cannot establish contact → NOA (discontinuation)
    request = in_review(plan_a, coordinator, reviewer, member)
    request = services.request_approve(plan=plan_a, actor=reviewer, request=request)
    request = start_services(plan_a, coordinator, request)
    request = services.request_propose_discontinuation(
        plan=plan_a, actor=coordinator, request=request, reason=DiscontinuationReason.UNABLE_TO_CONNECT,
        proposed_by=DiscontinuationProposer.PROVIDER, note="Six attempts by phone and in person",
    )  # fmt: skip
    request = services.request_discontinue(
        plan=plan_a, actor=reviewer, request=request, reason=DiscontinuationReason.UNABLE_TO_CONNECT,
        effective_on=date(2026, 12, 3),
    )  # fmt: skip
    notice = request.notices.get(notice_type=NoticeType.DISCONTINUATION)
    assert (notice.notice_date, notice.effective_on) == (date(2026, 11, 23), date(2026, 12, 3))
    assert request.needs_lower_level_of_care


def test_faq13_scenario_2_unreachable_transition_member_at_reassessment_gets_a_notice(
    plan_a, coordinator, reviewer, member, at_monday
):
    # DOMAIN 5.3 scenario 2 and 3.5: auto-transitioned from WPC, unreachable at the reassessment
    report = services.transition_import(
        plan=plan_a,
        actor=coordinator,
        rows=[{"cin": member.cin, "program": "wpc", "transition_date": "2022-01-01"}],
    )
    assert report == {"created": 1, "unchanged": 0, "errors": []}
    request = AuthorizationRequest.objects.get(member=member)
    assert (request.status, request.reassessment_due) == (Status.ACTIVE, date(2022, 7, 1))
    services.request_discontinue(
        plan=plan_a, actor=reviewer, request=request, reason=DiscontinuationReason.UNABLE_TO_CONNECT,
        effective_on=date(2026, 12, 10),
    )  # fmt: skip
    assert [n.notice_type for n in request.notices.all()] == [NoticeType.DISCONTINUATION, NoticeType.APPROVAL]


def test_faq13_scenario_3_member_request_without_a_pof_is_denied_with_a_notice_and_referral(
    plan_a, coordinator, reviewer, at_monday
):
    # DOMAIN 5.3 scenario 3: the member asks, meets no POF → NOA (denial) and alternative services
    request = in_review(plan_a, coordinator, reviewer, enrolled_member(plan_a), source=RequestSource.SELF_REFERRAL)
    services.request_deny(
        plan=plan_a, actor=reviewer, request=request, reason=DenialReason.NO_POPULATION_OF_FOCUS,
        explanation="You do not meet the criteria of any group ECM serves.",
        alternative_services="Complex Case Management through the plan: call Member Services.",
    )  # fmt: skip
    notice = reload(request).notices.get()
    assert notice.notice_type == NoticeType.DENIAL
    assert notice.content["alternative_services"].startswith("Complex Case Management")
    assert notice.appeal_by == date(2026, 11, 23) + timedelta(days=60)


def test_faq13_scenario_4_member_declining_after_outreach_gets_no_notice(
    plan_a, coordinator, reviewer, member, at_monday
):
    # DOMAIN 5.3 scenario 4: declines after outreach, before services began → no NOA
    request = in_review(plan_a, coordinator, reviewer, member, source=RequestSource.MCP_IDENTIFICATION)
    services.request_withdraw(plan=plan_a, actor=coordinator, request=request, reason=WithdrawalReason.MEMBER_DECLINED)
    assert reload(request).status == Status.WITHDRAWN
    assert not reload(request).notices.exists()


def test_a_plan_identified_denial_gets_no_notice_but_a_requested_modification_does(
    plan_a, coordinator, reviewer, member, provider, at_monday
):
    # DOMAIN 5.3: notices only when the member or a provider requested the service
    identified = in_review(plan_a, coordinator, reviewer, member, source=RequestSource.MCP_IDENTIFICATION)
    services.request_deny(plan=plan_a, actor=reviewer, request=identified, reason=DenialReason.OTHER, explanation="x")
    assert not reload(identified).notices.exists()
    referred = in_review(plan_a, coordinator, reviewer, member, source=RequestSource.PROVIDER_REFERRAL)
    services.request_approve(
        plan=plan_a, actor=reviewer, request=referred, decision=Decision.MODIFIED,
        modification="Approved for six months, then reassessed.",
    )  # fmt: skip
    assert [n.notice_type for n in reload(referred).notices.all()] == [NoticeType.MODIFICATION]
    full = in_review(plan_a, coordinator, reviewer, homeless_member(plan_a), source=RequestSource.PROVIDER_REFERRAL)
    services.request_approve(plan=plan_a, actor=reviewer, request=full)
    assert [n.notice_type for n in reload(full).notices.all()] == [NoticeType.APPROVAL]  # a letter, not a NOA


@pytest.mark.parametrize(("days", "allowed"), [(9, False), (10, True)])
def test_a_discontinuation_notice_is_dated_at_least_10_days_before_it_takes_effect(
    days, allowed, plan_a, coordinator, reviewer, member, provider, at_monday
):
    # DOMAIN 5.3 and 6: 42 CFR 431.211, otherwise a clear error
    request = in_review(plan_a, coordinator, reviewer, member)
    request = services.request_approve(plan=plan_a, actor=reviewer, request=request)
    request = start_services(plan_a, coordinator, request)
    effective_on = date(2026, 11, 23) + timedelta(days=days)
    discontinue = {
        "plan": plan_a, "actor": reviewer, "request": request, "effective_on": effective_on,
        "reason": DiscontinuationReason.NOT_ENGAGED,
    }  # fmt: skip
    if allowed:
        notice = services.request_discontinue(**discontinue).notices.get(notice_type=NoticeType.DISCONTINUATION)
        assert notice.content["continue_services_by"] == effective_on.isoformat()
    else:
        with pytest.raises(DomainError, match="2026-12-03 at the earliest") as refused:
            services.request_discontinue(**discontinue)
        assert refused.value.field == "effective_on"
        assert reload(request).status == Status.ACTIVE
        assert not reload(request).notices.filter(notice_type=NoticeType.DISCONTINUATION).exists()


def test_discontinuation_takes_only_the_four_reasons(plan_a, coordinator, reviewer, member, provider, at_monday):
    # DOMAIN 6: exactly four reasons
    request = in_review(plan_a, coordinator, reviewer, member)
    request = services.request_approve(plan=plan_a, actor=reviewer, request=request)
    request = start_services(plan_a, coordinator, request)
    with pytest.raises(DomainError, match="four"):
        services.request_discontinue(
            plan=plan_a, actor=reviewer, request=request, reason="moved_away", effective_on=date(2027, 1, 1)
        )
    assert {choice.value for choice in DiscontinuationReason} == {
        "goals_met", "lower_level_of_care", "not_engaged", "unable_to_connect",
    }  # fmt: skip


def test_a_denied_presumptive_authorization_stops_services_with_a_notice(
    plan_a, coordinator, reviewer, member, provider, at_monday
):
    # DOMAIN 5.1 and 5.3: presumptive services that are denied get a NOA
    request = start_presumptive(plan_a, member, provider)
    assert request.status == Status.PRESUMPTIVE
    assert request.presumptive_until == date(2026, 11, 23) + timedelta(days=30)
    assert request.due_at == clocks.end_of_day(request.presumptive_until)
    services.request_deny(plan=plan_a, actor=reviewer, request=request, reason=DenialReason.OTHER, explanation="x")
    assert [n.notice_type for n in reload(request).notices.all()] == [NoticeType.DENIAL]
    # DOMAIN 7: ECM ended for the member, so the presumptive provider's assignment ends that day
    assignment = Assignment.objects.get(member=member)
    assert (assignment.organization, assignment.ended_on) == (provider, date(2026, 11, 23))


def test_presumptive_authorization_needs_a_capable_contract(plan_a, coordinator, member, provider, at_monday):
    # DOMAIN 5.1: only providers whose contract is presumptive-authorization-capable
    from providers.models import Contract

    Contract.objects.filter(organization=provider).update(is_presumptive_capable=False)
    with pytest.raises(DomainError) as refused:
        start_presumptive(plan_a, member, provider)
    assert refused.value.field == "organization"


def test_the_presumptive_period_is_a_plan_setting(plan_a, admin_a, coordinator, member, provider, at_monday):
    authorization_settings_update(plan=plan_a, actor=admin_a.user, presumptive_period_days=14)
    request = start_presumptive(plan_a, member, provider)
    assert request.presumptive_until == date(2026, 12, 7)


# --- Transition members (DOMAIN 3.5) ----------------------------------------------------------------


def test_a_transition_list_with_one_bad_row_imports_nothing_and_reimporting_changes_nothing(
    plan_a, coordinator, member, at_monday
):
    # DOMAIN 3.5 and 11: every row validated, never half-applied, idempotent
    good = {"cin": member.cin, "program": "hhp", "transition_date": "2022-01-01"}
    report = services.transition_import(
        plan=plan_a, actor=coordinator, rows=[good, {"cin": "99999999Z", "program": "xyz", "transition_date": "x"}]
    )
    assert report["created"] == 0
    assert {(e["row"], e["field"]) for e in report["errors"]} == {(2, "cin"), (2, "program"), (2, "transition_date")}
    assert not AuthorizationRequest.objects.exists()
    assert services.transition_import(plan=plan_a, actor=coordinator, rows=[good])["created"] == 1
    assert services.transition_import(plan=plan_a, actor=coordinator, rows=[good]) == {
        "created": 0, "unchanged": 1, "errors": [],
    }  # fmt: skip


def test_reassessments_due_are_listed_until_recorded(plan_a, coordinator, member, at_monday):
    # DOMAIN 3.5: reassessed within six months of the transition
    from authorizations.selectors import reassessments_due

    services.transition_import(
        plan=plan_a, actor=coordinator, rows=[{"cin": member.cin, "program": "wpc", "transition_date": "2026-06-01"}]
    )
    request = reassessments_due(plan=plan_a).get()
    assert request.reassessment_due == date(2026, 12, 1)
    services.transition_reassessment_record(
        plan=plan_a, actor=coordinator, request=request, reassessed_on=date(2026, 11, 20)
    )
    assert not reassessments_due(plan=plan_a).exists()


def test_the_transition_list_command_imports_a_file_all_or_nothing(plan_a, coordinator, member, tmp_path, at_monday):
    # DOMAIN 3.5: the Member Transition List, by hand
    from django.core.management import CommandError, call_command

    good = tmp_path / "good.csv"
    good.write_text(f"cin,program,transition_date\n{member.cin},wpc,2022-01-01\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"cin,program,transition_date\n{member.cin},hhp,2022-01-01\n00000000X,wpc,2022-01-01\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_transition_list", str(bad), plan=plan_a.code, username=coordinator.username)
    assert not AuthorizationRequest.objects.exists()
    call_command("import_transition_list", str(good), plan=plan_a.code, username=coordinator.username)
    assert AuthorizationRequest.objects.get().reassessment_due == date(2022, 7, 1)
