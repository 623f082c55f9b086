"""Every decision told to the provider or entity that asked, once, electronically: in the portal
for a requester organization with portal logins, by email otherwise, with the reason when not
authorized; the requester's contact is an email address, never free text (DOMAIN 5.3)."""

from datetime import timedelta

import pytest
from django.core import mail
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from authorizations import services
from authorizations.models import (
    Decision,
    DenialReason,
    DiscontinuationReason,
    RequesterChannel,
    RequesterNotice,
    RequestSource,
    WithdrawalReason,
)
from authorizations.services.requester_notices import requester_notice_email
from ecm_platform import clocks
from ecm_platform.audit.selectors import phi_accesses_naming
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import ProviderRole
from providers.selectors import open_assignment
from providers.services import assignment_set_lead_care_manager, care_manager_add
from providers.staff import provider_membership_create
from tests.authorizations.conftest import MONDAY, VALID_NPIS
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("in_plan_a")

CONTACT = "intake@eastbay-referrals.example.org"
EXPLANATION = "The assessment shows no Population of Focus."


@pytest.fixture
def decide(plan_a, reviewer_a):
    """Put a request in review and take `verb` on it as the reviewer, the after-commit work run."""

    def run(request, verb, django_capture_on_commit_callbacks, **arguments):
        with clocks.frozen(MONDAY + timedelta(hours=1)), django_capture_on_commit_callbacks(execute=True):
            if request.status == "received":
                request = services.request_start_review(plan=plan_a, actor=reviewer_a.user, request=request)
            return getattr(services, f"request_{verb}")(
                plan=plan_a, actor=reviewer_a.user, request=request, **arguments
            )

    return run


def test_a_portal_organization_is_told_in_the_portal_and_not_by_email(
    plan_a, coordinator_a, make_eligible_member, make_provider, make_request, decide, django_capture_on_commit_callbacks
):
    # DOMAIN 5.3: in-app for portal users; the denial with its reason.
    organization = make_provider(plan_a)
    with scopes_disabled():
        provider_membership_create(
            actor=OPERATOR, organization=organization, user=UserFactory(), role=ProviderRole.CARE_MANAGER
        )
    request = make_request(
        plan_a, coordinator_a.user, make_eligible_member(plan_a), source=RequestSource.PROVIDER_REFERRAL,
        requester_organization=organization, requester_contact=CONTACT,
    )  # fmt: skip

    decide(
        request, "deny", django_capture_on_commit_callbacks,
        reason=DenialReason.NO_POPULATION_OF_FOCUS, explanation=EXPLANATION,
    )  # fmt: skip

    told = RequesterNotice.objects.get(request=request)
    assert (told.decision, told.channel, told.organization, told.email) == (
        "denial", RequesterChannel.IN_APP, organization, ""
    )  # fmt: skip
    assert told.sent_at == MONDAY + timedelta(hours=1)
    assert told.notice.notice_type == "denial"
    assert mail.outbox == []


def test_an_entity_without_portal_logins_is_emailed_once_with_the_reason(
    plan_a, coordinator_a, make_eligible_member, make_request, decide, django_capture_on_commit_callbacks
):
    # DOMAIN 5.3: email otherwise, once per decision, with the reason when not authorized.
    request = make_request(
        plan_a, coordinator_a.user, make_eligible_member(plan_a, first_name="Rosa", last_name="Díaz"),
        source=RequestSource.COMMUNITY_REFERRAL, requester_contact=CONTACT,
    )  # fmt: skip

    decide(
        request, "deny", django_capture_on_commit_callbacks,
        reason=DenialReason.NO_POPULATION_OF_FOCUS, explanation=EXPLANATION,
    )  # fmt: skip

    told = RequesterNotice.objects.get(request=request)
    assert (told.channel, told.email, told.sent_at) == (RequesterChannel.EMAIL, CONTACT, MONDAY + timedelta(hours=1))
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [CONTACT]
    assert f"Decision on request {request.pk}: denial" in email.subject
    assert "Rosa Díaz" in email.body
    assert "Decision: denied." in email.body
    assert f"Reason: {DenialReason.NO_POPULATION_OF_FOCUS.label}" in email.body
    assert f"The reviewer's explanation, as written:\n{EXPLANATION}" in email.body
    # A retried task sends nothing twice.
    assert requester_notice_email(plan=plan_a, told_id=told.pk) is False
    assert len(mail.outbox) == 1


def test_every_decision_is_told_to_the_requester_once(
    plan_a, coordinator_a, reviewer_a, make_eligible_member, make_provider, make_request, decide,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    # DOMAIN 5.3: approval, denial, deferral, modification and discontinuation, each once.
    make_provider(plan_a)
    deferred = make_request(
        plan_a, coordinator_a.user, make_eligible_member(plan_a), source=RequestSource.COMMUNITY_REFERRAL,
        requester_contact=CONTACT,
    )  # fmt: skip
    decide(deferred, "extend", django_capture_on_commit_callbacks, days=14, reason="Waiting for records.")
    approved = make_request(
        plan_a, coordinator_a.user, make_eligible_member(plan_a), source=RequestSource.COMMUNITY_REFERRAL,
        requester_contact=CONTACT,
    )  # fmt: skip
    approved = decide(approved, "approve", django_capture_on_commit_callbacks)
    modified = make_request(
        plan_a, coordinator_a.user, make_eligible_member(plan_a), source=RequestSource.COMMUNITY_REFERRAL,
        requester_contact=CONTACT,
    )  # fmt: skip
    decide(
        modified, "approve", django_capture_on_commit_callbacks, decision=Decision.MODIFIED,
        modification="Three months, then a reassessment.",
    )  # fmt: skip
    assignment = open_assignment(plan=plan_a, member=approved.member)
    care_manager = care_manager_add(plan=plan_a, actor=OPERATOR, organization=assignment.organization, name="Lee")
    assignment_set_lead_care_manager(plan=plan_a, assignment=assignment, care_manager=care_manager, actor=OPERATOR)
    with clocks.frozen(MONDAY + timedelta(hours=2)):
        active = services.request_start_services(plan=plan_a, actor=OPERATOR, request=approved)
    decide(
        active, "discontinue", django_capture_on_commit_callbacks, reason=DiscontinuationReason.GOALS_MET,
        effective_on=MONDAY.date() + timedelta(days=14),
    )  # fmt: skip

    told = RequesterNotice.objects.order_by("pk")
    assert [(t.request_id, t.decision) for t in told] == [
        (deferred.pk, "deferral"), (approved.pk, "approval"), (modified.pk, "modification"),
        (approved.pk, "discontinuation"),
    ]  # fmt: skip
    assert len(mail.outbox) == 4
    bodies = [email.body for email in mail.outbox]
    assert "Reason:" not in bodies[1]  # authorized: no reason owed
    assert f"Reason: {DiscontinuationReason.GOALS_MET.label}" in bodies[3]
    assert "What was approved instead (as written by the reviewer):\nThree months, then a reassessment." in bodies[2]


@pytest.mark.parametrize("source", [RequestSource.SELF_REFERRAL, RequestSource.MCP_IDENTIFICATION])
def test_a_request_with_no_requesting_provider_or_entity_tells_no_requester(
    source, plan_a, coordinator_a, make_eligible_member, make_request, decide, django_capture_on_commit_callbacks
):
    # DOMAIN 5.3: the member has the letter; the plan's own finding has no requester.
    request = make_request(plan_a, coordinator_a.user, make_eligible_member(plan_a), source=source)
    decide(request, "deny", django_capture_on_commit_callbacks, reason=DenialReason.OTHER, explanation="x")

    assert not RequesterNotice.objects.filter(request=request).exists()


def test_a_withdrawal_is_no_decision_to_tell(
    plan_a, coordinator_a, make_eligible_member, make_request, django_capture_on_commit_callbacks
):
    # DOMAIN 5.3: no notice when the request is withdrawn before services began.
    request = make_request(
        plan_a, coordinator_a.user, make_eligible_member(plan_a), source=RequestSource.COMMUNITY_REFERRAL,
        requester_contact=CONTACT,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.request_withdraw(
            plan=plan_a, actor=coordinator_a.user, request=request, reason=WithdrawalReason.REQUEST_WITHDRAWN
        )

    assert not RequesterNotice.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("contact", ["555-0100", "call Maria at the clinic", "intake@", "a@b@c.org"])
def test_the_requesters_contact_is_an_email_address_never_free_text(
    contact, plan_a, coordinator_a, make_eligible_member, make_request
):
    # DOMAIN 5.3: a validated email address or a portal account, never free text.
    with pytest.raises(DomainError) as refused:
        make_request(
            plan_a, coordinator_a.user, make_eligible_member(plan_a), source=RequestSource.COMMUNITY_REFERRAL,
            requester_contact=contact,
        )  # fmt: skip
    assert refused.value.field == "requester_contact"


def test_a_valid_email_contact_is_kept(plan_a, coordinator_a, make_eligible_member, make_request):
    # DOMAIN 5.3: the requester's email address is where the decision is sent.
    request = make_request(
        plan_a, coordinator_a.user, make_eligible_member(plan_a), source=RequestSource.COMMUNITY_REFERRAL,
        requester_contact=f"  {CONTACT} ",
    )  # fmt: skip
    assert request.requester_contact == CONTACT


def test_provider_staff_read_their_organizations_decisions_in_the_portal(
    plan_a, coordinator_a, make_eligible_member, make_provider, make_request, decide, django_capture_on_commit_callbacks
):
    # DOMAIN 5.3: in-app for portal users, the reason when not authorized; another organization sees nothing.
    organization = make_provider(plan_a)
    other = make_provider(plan_a, npi=VALID_NPIS[1])
    with scopes_disabled():
        logins = [
            provider_membership_create(
                actor=OPERATOR, organization=org, user=UserFactory(), role=ProviderRole.CARE_MANAGER
            )
            for org in (organization, other)
        ]
    member = make_eligible_member(plan_a, first_name="Rosa", last_name="Díaz")
    request = make_request(
        plan_a, coordinator_a.user, member, source=RequestSource.PROVIDER_REFERRAL, requester_organization=organization
    )
    decide(
        request, "deny", django_capture_on_commit_callbacks,
        reason=DenialReason.NO_POPULATION_OF_FOCUS, explanation=EXPLANATION,
    )  # fmt: skip

    mine, theirs = (APIClient(), APIClient())
    mine.force_login(logins[0].user)
    theirs.force_login(logins[1].user)
    rows = mine.get("/api/v1/provider/decisions/").json()["results"]
    assert [(row["request"], row["member_name"], row["decision"], row["plan"]["code"]) for row in rows] == [
        (request.pk, "Rosa Díaz", "denial", plan_a.code)
    ]
    assert rows[0]["reasons"] == [DenialReason.NO_POPULATION_OF_FOCUS.label]
    assert rows[0]["explanation"] == EXPLANATION
    assert "Decision: denied." in rows[0]["message"]
    assert theirs.get("/api/v1/provider/decisions/").json()["results"] == []
    with scopes_disabled():
        assert phi_accesses_naming(member.pk).filter(path="/api/v1/provider/decisions/").count() == 1
