"""Notices of Action, appeals and grievances through the services (DOMAIN 5.3, 5.4)."""

import hashlib
import shutil
import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from authorizations import services
from authorizations.letters import render_letter_html
from authorizations.models import (
    AppealOutcome,
    DenialReason,
    DiscontinuationReason,
    GrievanceOutcome,
    Notice,
    NoticeType,
    RequestSource,
    Status,
    WithdrawalReason,
)
from ecm_platform import clocks
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tenancy.access import OPERATOR
from providers.models import Assignment
from tests.authorizations.helpers import homeless_member, in_review, reload, start_presumptive, start_services
from tests.factories import enrolled_member

LA = ZoneInfo("America/Los_Angeles")
NOTICE_DAY = datetime(2026, 11, 23, 10, tzinfo=LA)


pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def denial(plan_a, coordinator, reviewer):
    """A member's own request, denied on 2026-11-23 with a Notice of Action."""
    member = enrolled_member(plan_a, first_name="Rosa", last_name="Díaz", cin="93456789B")
    with clocks.frozen(NOTICE_DAY):
        request = in_review(plan_a, coordinator, reviewer, member, source=RequestSource.SELF_REFERRAL)
        services.request_deny(
            plan=plan_a, actor=reviewer, request=request, reason=DenialReason.NO_POPULATION_OF_FOCUS,
            explanation="You do not meet the criteria of any group ECM serves.",
        )  # fmt: skip
    return reload(request).notices.get()


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        [shutil.which("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def test_the_notice_pdf_names_the_member_the_decision_and_the_appeal_deadline(denial):
    # DOMAIN 5.3: member name and CIN, the decision, the member's rights with the appeal deadline
    text = pdf_text(services.notice_pdf(plan=denial.plan, notice=denial))
    assert "Rosa Díaz" in text
    assert "93456789B" in text
    assert "Your request for Enhanced Care Management (ECM) is denied." in text
    assert "January 22, 2027" in text  # 60 calendar days after 2026-11-23
    assert denial.appeal_by == date(2027, 1, 22)
    assert Notice.objects.get(pk=denial.pk).sha256 == hashlib.sha256(bytes(denial.pdf)).hexdigest()


def test_a_spanish_speaking_member_gets_the_letter_in_spanish(plan_a, coordinator, reviewer):
    # DOMAIN 5.3: the member's preferred language when a template exists for it
    member = enrolled_member(plan_a, preferred_language="es")
    with clocks.frozen(NOTICE_DAY):
        request = in_review(plan_a, coordinator, reviewer, member, source=RequestSource.FAMILY_REFERRAL)
        services.request_deny(plan=plan_a, actor=reviewer, request=request, reason=DenialReason.OTHER, explanation="x")
    notice = reload(request).notices.get()
    assert notice.language == "es"
    assert "22 de enero de 2027" in pdf_text(services.notice_pdf(plan=plan_a, notice=notice))


def test_an_issued_notice_cannot_be_changed_or_deleted(denial):
    # DOMAIN 5.3: immutable once issued
    with pytest.raises(ValueError, match="cannot be changed"):
        denial.save()
    with pytest.raises(ValueError, match="cannot be deleted"):
        denial.delete()
    assert Notice.objects.filter(pk=denial.pk).exists()


def test_a_timely_appeal_gets_its_acknowledgement_and_resolution_clocks(plan_a, coordinator, denial):
    # DOMAIN 5.4: acknowledged in 5 calendar days, resolved in 30 (standard) or 72 hours (expedited)
    received = datetime(2026, 12, 1, 9, tzinfo=LA)
    with clocks.frozen(received):
        standard = services.appeal_file(plan=plan_a, actor=coordinator, notice=denial, reason="I am homeless")
        expedited = services.appeal_file(
            plan=plan_a, actor=coordinator, notice=denial, reason="Urgent", is_expedited=True
        )
    assert standard.acknowledgement_due == datetime(2026, 12, 6, 23, 59, 59, tzinfo=LA)
    assert standard.resolution_due == datetime(2026, 12, 31, 23, 59, 59, tzinfo=LA)
    assert expedited.resolution_due == received + timedelta(hours=72)
    assert not standard.continues_services  # a denial stops nothing that was in place


@pytest.mark.parametrize(("days_after", "timely"), [(60, True), (61, False)])
def test_an_appeal_is_filed_within_60_days_of_the_notice(days_after, timely, plan_a, coordinator, denial):
    # DOMAIN 5.3 and 5.4: appeal to the plan within 60 calendar days of the notice date
    with clocks.frozen(NOTICE_DAY + timedelta(days=days_after)):
        if timely:
            assert services.appeal_file(plan=plan_a, actor=coordinator, notice=denial, reason="x").pk
        else:
            with pytest.raises(DomainError, match="2027-01-22") as refused:
                services.appeal_file(plan=plan_a, actor=coordinator, notice=denial, reason="x")
            assert refused.value.code == "appeal_late"


def test_an_overturned_denial_authorizes_the_request_with_services_due_in_72_hours(
    plan_a, coordinator, reviewer, provider, denial
):
    # DOMAIN 5.2 and 5.4: denied → approved against the appeal, never back through review
    homeless_member(plan_a)  # (another member; the appellant gains a POF below)
    from eligibility.models import DeterminationSource, PopulationOfFocus
    from eligibility.services import determination_record

    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    determination_record(
        plan=plan_a, member=denial.member, pof=pof, source=DeterminationSource.REFERRAL,
        start_date=date(2026, 11, 1), criteria_met=pof.criteria, actor=OPERATOR,
    )  # fmt: skip
    resolved_at = datetime(2026, 12, 10, 15, tzinfo=LA)
    with clocks.frozen(datetime(2026, 12, 1, 9, tzinfo=LA)):
        appeal = services.appeal_file(plan=plan_a, actor=coordinator, notice=denial, reason="Shelter letter attached")
    with clocks.frozen(resolved_at):
        services.appeal_resolve(
            plan=plan_a, actor=reviewer, appeal=appeal, outcome=AppealOutcome.OVERTURNED, summary="Meets HOMELESS"
        )
    request = reload(denial.request)
    assert request.status == Status.APPROVED
    assert request.services_due_by == resolved_at + timedelta(hours=72)
    assert Assignment.objects.filter(member=denial.member, ended_on__isnull=True).exists()
    with pytest.raises(ConflictError, match="resolved already"):
        services.appeal_resolve(plan=plan_a, actor=reviewer, appeal=appeal, outcome=AppealOutcome.UPHELD, summary="x")


def test_an_upheld_denial_stays_denied_and_only_reviewers_resolve(plan_a, coordinator, reviewer, denial):
    # DOMAIN 5.4: outcome upheld; reviewers decide
    with clocks.frozen(NOTICE_DAY + timedelta(days=3)):
        appeal = services.appeal_file(plan=plan_a, actor=coordinator, notice=denial, reason="x")
        services.appeal_acknowledge(plan=plan_a, actor=coordinator, appeal=appeal)
        from ecm_platform.errors import ActionNotPermitted

        with pytest.raises(ActionNotPermitted):
            services.appeal_resolve(
                plan=plan_a, actor=coordinator, appeal=appeal, outcome=AppealOutcome.UPHELD, summary="x"
            )
        services.appeal_resolve(plan=plan_a, actor=reviewer, appeal=appeal, outcome=AppealOutcome.UPHELD, summary="x")
    assert reload(denial.request).status == Status.DENIED


@pytest.mark.parametrize(("appeal_day", "continues"), [(10, True), (11, False), (19, False)])
def test_a_discontinuation_appealed_within_10_days_keeps_services(
    appeal_day, continues, plan_a, coordinator, reviewer, provider
):
    # DOMAIN 5.3: aid paid pending — appeal within 10 days of the notice or by the effective date
    member = homeless_member(plan_a)
    with clocks.frozen(NOTICE_DAY):
        request = in_review(plan_a, coordinator, reviewer, member)
        request = services.request_approve(plan=plan_a, actor=reviewer, request=request)
        request = start_services(plan_a, coordinator, request)
        request = services.request_discontinue(
            plan=plan_a, actor=reviewer, request=request, reason=DiscontinuationReason.NOT_ENGAGED,
            effective_on=date(2026, 12, 3),
        )  # fmt: skip
    notice = request.notices.get(notice_type=NoticeType.DISCONTINUATION)
    assert notice.content["continue_services_by"] == "2026-12-03"
    with clocks.frozen(NOTICE_DAY + timedelta(days=appeal_day)):
        appeal = services.appeal_file(plan=plan_a, actor=coordinator, notice=notice, reason="I want ECM")
    assert appeal.continues_services is continues


def test_presumptive_services_stopped_at_the_members_request_do_not_continue_pending_an_appeal(
    plan_a, coordinator, provider
):
    # DOMAIN 5.2, 5.3: dated and effective the same day, no advance notice being due since the
    # member asked (42 CFR 431.213(b)): no letter (en, es) promises aid paid pending, and an appeal
    # of it keeps nothing going
    with clocks.frozen(NOTICE_DAY):
        request = start_presumptive(plan_a, homeless_member(plan_a), provider)
        request = services.request_withdraw(
            plan=plan_a, actor=coordinator, request=reload(request), reason=WithdrawalReason.MEMBER_DECLINED
        )
        notice = request.notices.get(notice_type=NoticeType.DISCONTINUATION)
        appeal = services.appeal_file(plan=plan_a, actor=coordinator, notice=notice, reason="I changed my mind")
    assert (notice.content["continue_services_by"], notice.content["appeal_by"]) == ("", "2027-01-22")
    assert appeal.continues_services is False
    english, spanish = render_letter_html(notice.content, "en"), render_letter_html(notice.content, "es")
    assert "Keep your services during the appeal" not in english and "Appeal to" in english
    assert "Conserve sus servicios" not in spanish and "apelación" in spanish


def test_grievances_have_their_clocks_and_outcomes(plan_a, coordinator, reviewer):
    # DOMAIN 5.4: acknowledgement in 5 days, resolution in 30 days or 72 hours when urgent
    member = enrolled_member(plan_a)
    received = datetime(2026, 11, 23, 10, tzinfo=LA)
    with clocks.frozen(received):
        grievance = services.grievance_file(plan=plan_a, actor=coordinator, member=member, description="Rude call")
        urgent = services.grievance_file(
            plan=plan_a, actor=coordinator, member=member, description="No care manager", is_urgent=True
        )
        with pytest.raises(DomainError):
            services.grievance_file(plan=plan_a, actor=coordinator, member=member, description=" ")
        services.grievance_acknowledge(plan=plan_a, actor=coordinator, grievance=grievance)
        with pytest.raises(ConflictError):
            services.grievance_acknowledge(plan=plan_a, actor=coordinator, grievance=grievance)
        services.grievance_resolve(
            plan=plan_a, actor=reviewer, grievance=grievance, outcome=GrievanceOutcome.RESOLVED, summary="Apologized"
        )
    assert grievance.acknowledgement_due == datetime(2026, 11, 28, 23, 59, 59, tzinfo=LA)
    assert grievance.resolution_due == datetime(2026, 12, 23, 23, 59, 59, tzinfo=LA)
    assert urgent.resolution_due == received + timedelta(hours=72)
    assert grievance.outcome == GrievanceOutcome.RESOLVED


def test_the_letter_is_rendered_once_after_the_decision_commits(
    plan_a, coordinator, reviewer, django_capture_on_commit_callbacks
):
    # DOMAIN 5.3: immutable once issued — the PDF is made from the frozen content once, and kept
    member = enrolled_member(plan_a)
    with clocks.frozen(NOTICE_DAY), django_capture_on_commit_callbacks(execute=True):
        request = in_review(plan_a, coordinator, reviewer, member, source=RequestSource.SELF_REFERRAL)
        services.request_deny(plan=plan_a, actor=reviewer, request=request, reason=DenialReason.OTHER, explanation="x")
    notice = reload(request).notices.get()
    assert bytes(notice.pdf).startswith(b"%PDF")
    assert notice.sha256 == hashlib.sha256(bytes(notice.pdf)).hexdigest()
    stale = Notice.objects.get(pk=notice.pk)
    stale.pdf = None  # a reader that loaded the notice before the render
    assert services.notice_pdf(plan=plan_a, notice=stale) == bytes(notice.pdf)


def test_a_notice_issued_but_not_yet_rendered_is_rendered_at_its_first_download(denial):
    assert denial.pdf is None and denial.sha256 == ""
    first = services.notice_pdf(plan=denial.plan, notice=denial)
    again = services.notice_pdf(plan=denial.plan, notice=Notice.objects.get(pk=denial.pk))
    assert first == again
