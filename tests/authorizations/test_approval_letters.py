"""Which letter each decision sends the member, the standard approval letter (not a NOA), and a
letter held for the plan's contact as a deadline on the plan administrator (DOMAIN 5.3)."""

from datetime import timedelta

import pytest
from django_scopes import scopes_disabled

from authorizations import rules, services
from authorizations.models import (
    Appeal,
    AppealOutcome,
    Decision,
    DenialReason,
    Notice,
    NoticeType,
    RequestSource,
    WithdrawalReason,
)
from authorizations.services.letter_contact import letter_contact_set
from ecm_platform import clocks
from ecm_platform.deadlines.models import Deadline, DeadlineKind, DeadlineState
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability
from tests.authorizations.conftest import MONDAY
from tests.authorizations.helpers import start_presumptive
from tests.authorizations.test_letters import pdf_text
from tests.authorizations.test_plan_settings import ADDRESS, PHONE, without_contact

pytestmark = pytest.mark.usefixtures("in_plan_a")

A = rules.Action
FULL, MODIFIED = Decision.FULL, Decision.MODIFIED
# (action, requested by the member or a provider, decision) -> the letter (DOMAIN 5.2, 5.3).
LETTERS = [
    (A.APPROVE, True, FULL, NoticeType.APPROVAL),
    (A.APPROVE, False, FULL, NoticeType.APPROVAL),  # every full approval, the plan's own finding too
    (A.APPROVE, True, MODIFIED, NoticeType.MODIFICATION),
    (A.DENY, True, "", NoticeType.DENIAL),
    (A.DENY, False, "", None),  # no NOA when nobody asked (the plan's identification)
    (A.EXTEND, True, "", NoticeType.DELAY),
    (A.EXTEND, False, "", None),
    (A.WITHDRAW, True, "", None),  # declined or unreachable before services began
    (A.STOP_PRESUMPTIVE, True, "", NoticeType.DISCONTINUATION),  # dated and effective the same day
    (A.DISCONTINUE, False, "", NoticeType.DISCONTINUATION),
    (A.OVERTURN, True, FULL, NoticeType.APPROVAL),
    (A.OVERTURN, True, MODIFIED, NoticeType.MODIFICATION),  # a partial overturn
    (A.REINSTATE, True, FULL, NoticeType.APPROVAL),
    (A.TRANSITION, False, "", NoticeType.APPROVAL),  # a Member Transition List authorization
    (A.END, True, "", None),  # the member left the plan: no longer the plan's to tell
]


@pytest.mark.parametrize(("action", "requested", "decision", "letter"), LETTERS)
def test_each_decision_sends_its_letter(action, requested, decision, letter):
    # DOMAIN 5.3: NOAs, and the approval letter "Beyond NOAs".
    assert rules.notice_type_for(action, requested_by_member_or_provider=requested, decision=decision) == letter


def test_every_action_is_answered():
    # DOMAIN 5.3: no decision is left without an answer (a new Action must be added to LETTERS).
    assert {row[0] for row in LETTERS} == set(rules.Action)


def test_an_approval_letter_gives_no_appeal_rights():
    # DOMAIN 5.3: the approval letter is not a NOA.
    assert rules.member_rights(NoticeType.APPROVAL, MONDAY.date(), MONDAY.date()) is None
    assert rules.appeal_continues_services(None, MONDAY.date()) is False


@pytest.mark.parametrize("source", [RequestSource.MCP_IDENTIFICATION, RequestSource.SELF_REFERRAL])
def test_a_full_approval_sends_the_standard_approval_letter(
    source, plan_a, coordinator_a, reviewer_a, make_eligible_member, make_provider, make_request
):
    # DOMAIN 5.3 (Beyond NOAs): every full approval is told by the approval letter, immutable, no rights.
    make_provider(plan_a)
    member = make_eligible_member(plan_a, first_name="Tomás", last_name="Reyes")
    request = make_request(plan_a, coordinator_a.user, member, source=source)
    with clocks.frozen(MONDAY):
        services.request_start_review(plan=plan_a, actor=reviewer_a.user, request=request)
        services.request_approve(plan=plan_a, actor=reviewer_a.user, request=request)

    notice = Notice.objects.get(request=request)
    assert (notice.notice_type, notice.appeal_by, notice.effective_on) == (NoticeType.APPROVAL, None, MONDAY.date())
    assert notice.content["appeal_by"] == ""
    text = pdf_text(services.notice_pdf(plan=plan_a, notice=notice))
    assert "Your request for Enhanced Care Management (ECM) is approved." in text
    assert "Tomás Reyes" in text
    assert "Notice of Action" not in text
    assert "Your rights" not in text
    with pytest.raises(ValueError, match="cannot be changed"):
        notice.save()


def test_a_modified_approvals_letter_is_its_modification_notice(
    plan_a, coordinator_a, reviewer_a, make_eligible_member, make_provider, make_request
):
    # DOMAIN 5.3: a modified approval's letter is its modification NOA (one letter, not two).
    make_provider(plan_a)
    request = make_request(plan_a, coordinator_a.user, make_eligible_member(plan_a))
    with clocks.frozen(MONDAY):
        services.request_start_review(plan=plan_a, actor=reviewer_a.user, request=request)
        services.request_approve(
            plan=plan_a, actor=reviewer_a.user, request=request, decision=Decision.MODIFIED,
            modification="Three months instead of twelve.",
        )  # fmt: skip

    assert list(Notice.objects.filter(request=request).values_list("notice_type", flat=True)) == [
        NoticeType.MODIFICATION
    ]


def test_a_held_letter_is_a_deadline_on_the_plan_administrator_met_when_released(
    plan_a, admin_a, coordinator_a, reviewer_a, make_eligible_member, make_provider, make_request
):
    # DOMAIN 5.3: a missing contact never blocks a decision; the letter waits as the administrator's deadline.
    with scopes_disabled():
        without_contact(plan_a)
    make_provider(plan_a)
    member = make_eligible_member(plan_a, first_name="Inés", last_name="Vargas")
    request = make_request(plan_a, coordinator_a.user, member)
    with clocks.frozen(MONDAY):
        services.request_start_review(plan=plan_a, actor=reviewer_a.user, request=request)
        services.request_approve(plan=plan_a, actor=reviewer_a.user, request=request)
    notice = Notice.objects.get(request=request)
    assert notice.is_held

    clock = Deadline.objects.get(plan=plan_a, kind=DeadlineKind.LETTER_CONTACT)
    assert (clock.target_id, clock.member_id, clock.owner) == (notice.pk, member.pk, Capability.PLAN_SETTINGS_MANAGE)
    assert clock.state == DeadlineState.OPEN
    # Two business days after Monday 2026-11-16 (H&S Code 1367.01(h)(3)): Wednesday's end.
    assert clocks.local_date(clock.due_at) == MONDAY.date().replace(day=18)
    assert "Inés Vargas" in clock.label

    with clocks.frozen(MONDAY.replace(hour=22)):
        letter_contact_set(plan=plan_a, actor=admin_a.user, member_services_phone=PHONE, appeals_address=ADDRESS)
    clock.refresh_from_db()
    assert clock.state == DeadlineState.MET
    assert clock.met_at == MONDAY.replace(hour=22)
    assert not Notice.objects.get(pk=notice.pk).is_held


def _denied(plan, coordinator, reviewer, member, make_request) -> Notice:
    request = make_request(plan, coordinator.user, member)
    with clocks.frozen(MONDAY):
        services.request_start_review(plan=plan, actor=reviewer.user, request=request)
        services.request_deny(
            plan=plan, actor=reviewer.user, request=request, reason=DenialReason.NO_POPULATION_OF_FOCUS,
            explanation="No Population of Focus shown.",
        )  # fmt: skip
    return Notice.objects.get(request=request)


@pytest.mark.parametrize(
    ("outcome", "modification", "letter"),
    [
        (AppealOutcome.OVERTURNED, "", NoticeType.APPROVAL),
        (AppealOutcome.PARTIALLY_OVERTURNED, "Three months, then a reassessment.", NoticeType.MODIFICATION),
    ],
)
def test_an_overturn_on_appeal_sends_the_approval_letter_or_its_modification_notice(
    outcome, modification, letter, plan_a, coordinator_a, reviewer_a, make_eligible_member, make_provider,
    make_request,
):  # fmt: skip
    # DOMAIN 5.2, 5.3: an overturn is a full approval (approval letter), a partial one a modification NOA.
    make_provider(plan_a)
    denial = _denied(plan_a, coordinator_a, reviewer_a, make_eligible_member(plan_a), make_request)
    with clocks.frozen(MONDAY + timedelta(days=3)):
        appeal = services.appeal_file(plan=plan_a, actor=coordinator_a.user, notice=denial, reason="I am homeless.")
        services.appeal_resolve(
            plan=plan_a, actor=reviewer_a.user, appeal=appeal, outcome=outcome, summary="Records show a POF.",
            modification=modification,
        )  # fmt: skip

    letters = Notice.objects.filter(request=denial.request).order_by("pk")
    assert [n.notice_type for n in letters] == [NoticeType.DENIAL, letter]
    assert letters.last().content["modification"] == modification


def test_an_approval_letter_cannot_be_appealed(
    plan_a, coordinator_a, reviewer_a, make_eligible_member, make_provider, make_request
):
    # DOMAIN 5.3: the approval letter is not a NOA; there is no decision against the member to appeal.
    make_provider(plan_a)
    request = make_request(plan_a, coordinator_a.user, make_eligible_member(plan_a))
    with clocks.frozen(MONDAY):
        services.request_start_review(plan=plan_a, actor=reviewer_a.user, request=request)
        services.request_approve(plan=plan_a, actor=reviewer_a.user, request=request)
        with pytest.raises(DomainError) as refused:
            services.appeal_file(
                plan=plan_a, actor=coordinator_a.user, notice=Notice.objects.get(request=request), reason="x"
            )
    assert refused.value.code == "not_appealable"
    assert not Appeal.objects.exists()


def test_presumptive_services_stopped_at_the_members_request_get_a_same_day_discontinuation_letter(
    plan_a, coordinator_a, make_eligible_member, make_provider
):
    # DOMAIN 5.2: dated and effective the same day, with the member's own reason, in their language.
    organization = make_provider(plan_a)
    member = make_eligible_member(plan_a, preferred_language="es")
    with clocks.frozen(MONDAY):
        request = start_presumptive(plan_a, member, organization)
        services.request_withdraw(
            plan=plan_a, actor=coordinator_a.user, request=request, reason=WithdrawalReason.MEMBER_DECLINED
        )

    notice = Notice.objects.get(request=request)
    assert (notice.notice_type, notice.notice_date, notice.effective_on) == (
        NoticeType.DISCONTINUATION, MONDAY.date(), MONDAY.date()
    )  # fmt: skip
    assert notice.content["withdrawal_reason"] == WithdrawalReason.MEMBER_DECLINED
    text = pdf_text(services.notice_pdf(plan=plan_a, notice=notice))
    assert "Usted pidió dejar de recibir ECM." in text
    assert "Estos servicios terminarán el 16 de noviembre de 2026." in text
