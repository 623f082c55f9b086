"""The demo's Community Supports (DOMAIN 9, issue 17): a member receives two Community Supports and
no ECM, a sobering center stay is authorized after it began, and their deliveries are recorded."""

import io

from django.core.management import call_command
from django_scopes import scopes_disabled

from authorizations.models import AuthorizationRequest, Status
from benefits.models import ECM_CODE
from community_supports.models import Delivery


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
        # Run again: what exists stays (make demo is safe to repeat).
        call_command("demo_load", stdout=io.StringIO())
        assert Delivery.objects.count() == 6
