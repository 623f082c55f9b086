"""The demo's Community Supports (DOMAIN 9, issues 17 and 18): a member receives two Community
Supports and no ECM, a sobering center stay is authorized after it began, and their deliveries are
recorded; a shelter's four referrals stand at each point of the closed loop, the served one's
invoice converted into encounters."""

import io

from django.core.management import call_command
from django_scopes import scopes_disabled

from authorizations.models import AuthorizationRequest, Status
from benefits.models import ECM_CODE
from community_supports.models import Delivery, Referral, ReferralStatus
from encounters.models import Encounter


def test_the_demo_member_receives_two_community_supports_and_no_ecm(db):
    output = io.StringIO()
    call_command("demo_load", stdout=output)
    assert "receives respite and medically tailored meals without ECM" in output.getvalue()
    with scopes_disabled():
        respite = AuthorizationRequest.objects.get(plan__code="golden-state", service__code="respite")
        member_requests = AuthorizationRequest.objects.filter(member=respite.member)
        assert {(r.service.code, r.status) for r in member_requests} == {
            ("respite", Status.ACTIVE),
            ("medically-tailored-meals", Status.ACTIVE),
        }
        assert not member_requests.filter(service__code=ECM_CODE).exists()
        stay = AuthorizationRequest.objects.get(plan__code="golden-state", service__code="sobering-centers")
        assert stay.status == Status.ACTIVE and stay.service_began_at < stay.received_at
        assert Delivery.objects.filter(plan__code="golden-state").count() == 6
        assert {d.organization.name for d in Delivery.objects.all()} == {"Eastbay Community Health Center"}
        referrals = Referral.objects.filter(plan__code="golden-state", referrer_name="Hope Shelter")
        assert sorted(referrals.values_list("status", flat=True)) == sorted(
            [ReferralStatus.CLOSED, ReferralStatus.SERVICE_STARTED, ReferralStatus.DECLINED, ReferralStatus.SENT]
        )
        served = referrals.get(status=ReferralStatus.CLOSED)
        assert served.closure_reason == "services_received"
        encounters = Encounter.objects.filter(member=served.member)
        assert encounters.count() == 10 and {(e.hcpcs, e.modifier_1) for e in encounters} == {("H0043", "U6")}
        # Run again: what exists stays (make demo is safe to repeat).
        call_command("demo_load", stdout=io.StringIO())
        assert (Delivery.objects.count(), Referral.objects.count(), encounters.count()) == (6, 4, 10)
