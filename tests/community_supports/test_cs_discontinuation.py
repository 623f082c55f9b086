"""Ending a Community Support (DOMAIN 5.2, 5.3, 6, 9; FAQ 39, 43): on one of the service's own
discontinuation criteria (the four reasons of DOMAIN 6 are ECM's), with a notice that names the
criterion and the service in the member's language, at least 10 days ahead; the job ends the
request's own provider placement on the date; and the plan's removal of the service from the
member's county ends it on the plan's own criterion, dated 10 or more days ahead."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail

from authorizations import services
from authorizations.models import (
    AppealOutcome,
    AuthorizationRequest,
    DiscontinuationProposer,
    DiscontinuationReason,
    Notice,
    NoticeType,
    RequestSource,
    Status,
)
from authorizations.services.discontinuation import discontinuation_job, request_discontinue_for_service_removal
from ecm_platform import clocks
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.tenancy.access import Capability, Principal
from providers.models import Assignment, AssignmentEndReason, ServiceAssignment
from tests.community_supports.test_cs_letters import (
    LA,
    MONDAY,
    active_cs_request,
    letter_of,
    other_language,
    respite_world,
)
from tests.factories import enrolled_member

pytestmark = pytest.mark.usefixtures("in_plan_a")

DECIDED = datetime(2026, 11, 23, 10, tzinfo=LA)  # the notice date
EFFECTIVE = date(2026, 12, 3)  # notice + 10 days: the earliest lawful effective date
RELIEF = "caregiver-no-longer-needs-relief"
CRITERION = {"en": "Caregiver no longer needs relief", "es": "La persona que le cuida ya no necesita relevo"}
REMOVED = {
    "en": "The plan no longer offers this service in your county",
    "es": "El plan ya no ofrece este servicio en su condado",
}
DISCONTINUATION = {
    "en": [
        "Notice of Action: your services will stop",
        "Your Community Supports services (Respite Services) will end.",
        "The criteria to end Respite Services set by the DHCS Community Supports Policy Guide.",
        "your Community Supports services (Respite Services) will continue while your appeal is pending",
    ],
    "es": [
        "Aviso de Acción: sus servicios terminarán",
        "Sus servicios de Apoyos Comunitarios (Servicios de relevo) terminarán.",
        "Los criterios para terminar Servicios de relevo que establece la Guía de Políticas de Apoyos "
        "Comunitarios del DHCS.",
        "seguirá recibiendo sus servicios de Apoyos Comunitarios (Servicios de relevo) mientras su apelación",
    ],
}


@pytest.fixture
def world(plan_a, make_membership):
    return respite_world(plan_a, make_membership)


def discontinue(world, request, at=DECIDED, effective_on=EFFECTIVE, **why):
    with clocks.frozen(at):
        return services.request_discontinue(
            plan=world.plan, actor=world.reviewer, request=request, effective_on=effective_on, **why
        )


def elections_job(plan) -> Principal:
    """The system principal that carries out an election removal (DOMAIN 9)."""
    return Principal.system("election-removal", Capability.AUTHORIZATIONS_DISCONTINUE, plan=plan)


def remove(world, request, at, effective_on):
    with clocks.frozen(at):
        return request_discontinue_for_service_removal(
            plan=world.plan, actor=elections_job(world.plan), request=request, effective_on=effective_on
        )


def ecm_active_request(world, member) -> AuthorizationRequest:
    return AuthorizationRequest.objects.create(
        plan=world.plan, member=member, source=RequestSource.PROVIDER_REFERRAL, received_at=MONDAY, status=Status.ACTIVE,
        decision="full", services_started_on=MONDAY.date(), created_at=MONDAY, updated_at=MONDAY,
    )  # fmt: skip


# --- The service's own criterion, in the member's language ---------------------------------------


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_respite_discontinuation_names_the_criterion_and_the_service_in_the_members_language(world, language):
    """DOMAIN 6 / FAQ 39, 43: a Community Support ends on one of its own criteria; the NOA, dated
    10 days before the effective date (DOMAIN 5.3), names the criterion and the service in the
    member's language and none of the other language's words, nor ECM's."""
    request = active_cs_request(world, world.rosa if language == "es" else world.james)

    request = discontinue(world, request, criterion=RELIEF)

    assert (request.discontinuation_criterion, request.discontinuation_reason) == (RELIEF, "")
    assert request.status == Status.ACTIVE and request.discontinuation_effective_on == EFFECTIVE
    assert request.needs_lower_level_of_care is False  # DOMAIN 6: ECM's members move to lower-level care
    notice, text = letter_of(world.plan, request, NoticeType.DISCONTINUATION)
    assert (notice.notice_date, notice.effective_on) == (DECIDED.date(), EFFECTIVE)
    assert notice.content["discontinuation_criterion_en"] == CRITERION["en"]
    assert notice.content["discontinuation_criterion_es"] == CRITERION["es"]
    assert CRITERION[language] in text
    assert CRITERION[other_language(language)] not in text
    for sentence in DISCONTINUATION[language]:
        assert sentence in text
    assert ("Respite Services" if language == "es" else "Servicios de relevo") not in text
    assert "ECM" not in text


def test_a_community_support_refuses_the_four_ecm_reasons_and_unknown_criteria(world):
    """DOMAIN 6: the four reasons are ECM's; a Community Support ends on one of its catalogue
    criteria (FAQ 39), not on another service's, and not on the plan's election removal, which
    only an election removal applies. Nothing is written on a refusal."""
    request = active_cs_request(world, world.rosa)

    for why, field in [
        ({"reason": DiscontinuationReason.GOALS_MET}, "reason"),
        ({"reason": DiscontinuationReason.GOALS_MET, "criterion": RELIEF}, "reason"),
        ({}, "criterion"),
        ({"criterion": "skills-goals-met"}, "criterion"),  # day habilitation's
        ({"criterion": "service-no-longer-offered"}, "criterion"),
    ]:
        with pytest.raises(DomainError) as refused:
            discontinue(world, request, **why)
        assert refused.value.field == field, why

    request.refresh_from_db()
    assert (request.discontinuation_effective_on, request.discontinuation_criterion) == (None, "")
    assert not Notice.objects.filter(request=request).exists()


def test_ecm_refuses_a_criterion_and_keeps_its_four_reasons(world):
    """DOMAIN 6: ECM ends for exactly its four reasons; a criterion is a Community Support's."""
    request = ecm_active_request(world, world.james)

    with pytest.raises(DomainError) as refused:
        discontinue(world, request, reason=DiscontinuationReason.GOALS_MET, criterion=RELIEF)
    assert refused.value.field == "criterion"
    with pytest.raises(DomainError) as refused, clocks.frozen(DECIDED):
        services.request_propose_discontinuation(
            plan=world.plan, actor=world.reviewer, request=request, proposed_by=DiscontinuationProposer.PLAN,
            criterion=RELIEF,
        )  # fmt: skip
    assert refused.value.field == "criterion"


def test_a_provider_proposes_a_criterion_and_the_reviewer_decides(world):
    """DOMAIN 6: the provider proposes, the plan decides: a Community Support's proposal carries
    one of its criteria, refused with one of ECM's reasons; the decision may apply another."""
    request = active_cs_request(world, world.james)
    with pytest.raises(DomainError) as refused:
        services.request_propose_discontinuation(
            plan=world.plan, actor=world.reviewer, request=request, proposed_by=DiscontinuationProposer.PROVIDER,
            reason=DiscontinuationReason.UNABLE_TO_CONNECT,
        )  # fmt: skip
    assert refused.value.field == "reason"

    with clocks.frozen(DECIDED):
        proposed = services.request_propose_discontinuation(
            plan=world.plan, actor=world.reviewer, request=request, proposed_by=DiscontinuationProposer.PROVIDER,
            criterion="annual-hours-used", note="336 hours used by 20 November.",
        )  # fmt: skip
    assert (proposed.discontinuation_criterion, proposed.discontinuation_proposed_reason) == ("annual-hours-used", "")
    assert proposed.discontinuation_effective_on is None  # proposed, not decided: no notice yet
    assert not Notice.objects.filter(request=request).exists()

    decided = discontinue(world, proposed, criterion=RELIEF)
    assert decided.discontinuation_criterion == RELIEF
    _, text = letter_of(world.plan, decided, NoticeType.DISCONTINUATION)
    assert CRITERION["en"] in text and "Annual hours used" not in text


def test_the_notice_is_dated_at_least_10_days_before_the_end(world):
    """DOMAIN 5.3 (42 CFR 431.211): an effective date 9 days after the notice is refused, 10 is not."""
    request = active_cs_request(world, world.rosa)

    with pytest.raises(DomainError) as refused:
        discontinue(world, request, criterion=RELIEF, effective_on=EFFECTIVE - timedelta(days=1))
    assert refused.value.field == "effective_on"
    assert discontinue(world, request, criterion=RELIEF).discontinuation_effective_on == EFFECTIVE


def test_on_the_effective_date_the_job_ends_the_requests_own_placement(world):
    """DOMAIN 5.2, 9: services go on until the effective date; that evening the request becomes
    `discontinued` and its provider placement ends that day, freeing its place in the line."""
    request = discontinue(world, active_cs_request(world, world.rosa), criterion=RELIEF)
    placement = request.service_assignment

    with clocks.frozen(datetime(2026, 12, 2, 23, tzinfo=LA)):
        assert services.discontinuations_take_effect(plan=world.plan, actor=discontinuation_job(world.plan)) == []
    placement.refresh_from_db()
    assert placement.ended_on is None

    with clocks.frozen(datetime(2026, 12, 3, 23, tzinfo=LA)):
        done = services.discontinuations_take_effect(plan=world.plan, actor=discontinuation_job(world.plan))

    assert done == [request.pk]
    request.refresh_from_db()
    placement.refresh_from_db()
    assert request.status == Status.DISCONTINUED
    assert (placement.ended_on, placement.end_reason) == (EFFECTIVE, AssignmentEndReason.DISCONTINUED)
    assert not ServiceAssignment.objects.filter(member=world.rosa, ended_on__isnull=True).exists()


# --- The plan stops offering the service in the member's county ----------------------------------


@pytest.mark.parametrize(
    ("decided_at", "removal_on", "effective"),
    [
        # Decided in November for the 1 January removal: effective on the removal date.
        (DECIDED, date(2027, 1, 1), date(2027, 1, 1)),
        # Decided on 28 December: the notice needs 10 days, so services end on 7 January.
        (datetime(2026, 12, 28, 9, tzinfo=LA), date(2027, 1, 1), date(2027, 1, 7)),
    ],
)
def test_an_election_removal_ends_the_service_10_or_more_days_after_its_notice(
    world, decided_at, removal_on, effective
):
    """DOMAIN 9, 5.3: a removal notifies affected members; a plan discontinuation on its own
    criterion, effective the later of the removal date and the notice date + 10 days, called by the
    system principal that holds only AUTHORIZATIONS_DISCONTINUE."""
    request = active_cs_request(world, world.rosa)

    request = remove(world, request, decided_at, removal_on)

    assert request.discontinuation_criterion == "service-no-longer-offered"
    assert request.discontinuation_effective_on == effective
    notice, text = letter_of(world.plan, request, NoticeType.DISCONTINUATION)
    assert notice.effective_on == effective
    assert (notice.effective_on - notice.notice_date).days >= 10
    assert notice.notice_date == decided_at.date()
    assert REMOVED["es"] in text and REMOVED["en"] not in text
    assert "Servicios de relevo" in text


def test_the_removal_letter_in_english_names_the_plans_reason(world):
    """DOMAIN 5.3: the English member's removal notice gives the plan's reason in English."""
    request = remove(world, active_cs_request(world, world.james), DECIDED, date(2027, 1, 1))

    _, text = letter_of(world.plan, request, NoticeType.DISCONTINUATION)

    assert REMOVED["en"] in text and REMOVED["es"] not in text
    assert "Your Community Supports services (Respite Services) will end." in text


def test_a_rerun_of_the_removal_sends_no_second_notice_and_ecm_is_not_removed(world):
    """DOMAIN 9: a removal rerun changes nothing; a request already ending by then keeps its own
    date and notice; ECM is not elected per county, and a reviewer's role is not the job's."""
    request = remove(world, active_cs_request(world, world.rosa), DECIDED, date(2027, 1, 1))
    assert remove(world, request, DECIDED + timedelta(days=1), date(2027, 1, 1)).discontinuation_effective_on == (
        date(2027, 1, 1)
    )
    earlier = discontinue(world, active_cs_request(world, world.james), criterion=RELIEF)
    assert remove(world, earlier, DECIDED, date(2027, 1, 1)).discontinuation_criterion == RELIEF
    assert Notice.objects.filter(notice_type=NoticeType.DISCONTINUATION).count() == 2

    with pytest.raises(DomainError):
        remove(world, ecm_active_request(world, world.james), DECIDED, date(2027, 1, 1))
    other = active_cs_request(world, enrolled_member(world.plan))
    refuser = Principal.system("election-removal", Capability.DISCONTINUATIONS_TAKE_EFFECT, plan=world.plan)
    with pytest.raises(ActionNotPermitted), clocks.frozen(DECIDED):
        request_discontinue_for_service_removal(
            plan=world.plan, actor=refuser, request=other, effective_on=date(2027, 1, 1)
        )


def test_an_appeal_overturned_after_it_took_effect_places_the_member_with_their_provider_again(world):
    """DOMAIN 5.2: discontinued → active for an appeal overturned after the discontinuation took
    effect; a Community Support goes back to the provider the member had (DOMAIN 9), with a new
    placement, never an ECM assignment; the reinstatement letter names the service."""
    request = discontinue(world, active_cs_request(world, world.rosa), criterion=RELIEF)
    first = request.service_assignment
    with clocks.frozen(datetime(2026, 12, 3, 23, tzinfo=LA)):
        services.discontinuations_take_effect(plan=world.plan, actor=discontinuation_job(world.plan))
    notice = Notice.objects.get(request=request, notice_type=NoticeType.DISCONTINUATION)
    with clocks.frozen(datetime(2026, 12, 15, 9, tzinfo=LA)):
        case = services.appeal_file(plan=world.plan, actor=world.coordinator, notice=notice, reason="Still needed")
    with clocks.frozen(datetime(2027, 1, 8, 10, tzinfo=LA)):
        services.appeal_resolve(
            plan=world.plan, actor=world.reviewer, appeal=case, outcome=AppealOutcome.OVERTURNED, summary="Overturned"
        )

    request.refresh_from_db()
    assert (request.status, request.discontinuation_criterion) == (Status.ACTIVE, "")
    placement = request.service_assignment
    assert placement.pk != first.pk
    # The new placement runs to the authorized period's last day (the day itself once that has passed).
    last_day = max(request.service_to, date(2027, 1, 8)) if request.service_to else None
    assert (placement.organization, placement.started_on, placement.ended_on) == (
        world.bayside,
        date(2027, 1, 8),
        last_day,
    )
    assert not Assignment.objects.filter(member=world.rosa).exists()
    _, text = letter_of(world.plan, request, NoticeType.APPROVAL)
    assert "Después de su apelación, sus servicios de Apoyos Comunitarios (Servicios de relevo)" in text


def test_the_requester_is_told_the_criterion_that_ends_the_service(world, django_capture_on_commit_callbacks):
    """DOMAIN 5.3: the requesting entity is told of a discontinuation once, electronically, with the
    service and, since it is not authorized any longer, the criterion applied (FAQ 39)."""
    request = active_cs_request(world, world.james)
    AuthorizationRequest.objects.filter(pk=request.pk).update(requester_contact="intake@valley.example.org")

    with django_capture_on_commit_callbacks(execute=True):
        discontinue(world, request, criterion=RELIEF)

    (email,) = mail.outbox
    assert "Service: Respite Services\n" in email.body
    assert f"services end on {EFFECTIVE:%Y-%m-%d}." in email.body
    assert f"Reason: {CRITERION['en']}\n" in email.body
