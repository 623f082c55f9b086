"""/api/v1/settings/contact/ and /api/v1/settings/authorizations/: the plan administrator reads and
changes the contact the letters print (DOMAIN 5.3) and the presumptive period (DOMAIN 5.1).
PATCH takes any of the fields; the services check the capability, validate and audit."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from authorizations import selectors
from authorizations.services.letter_contact import letter_contact_set
from authorizations.services.settings import (
    PRESUMPTIVE_PERIOD_MAX_DAYS,
    authorization_settings,
    authorization_settings_update,
)
from ecm_platform.api.views import PlanAPIView
from ecm_platform.tenancy import contact
from ecm_platform.tenancy.access import Capability


class LetterContactInput(serializers.Serializer):
    member_services_phone = serializers.CharField(max_length=contact.PHONE_MAX_LENGTH, trim_whitespace=True)
    appeals_address = serializers.CharField(
        max_length=contact.ADDRESS_MAX_LENGTH, help_text="Lines separated by newlines, ending with city, state and ZIP."
    )

    def validate_member_services_phone(self, phone):
        if problem := contact.phone_problem(phone):
            raise serializers.ValidationError(problem)
        return phone

    def validate_appeals_address(self, address):
        if problem := contact.address_problem(address):
            raise serializers.ValidationError(problem)
        return address


class LetterContactOutput(serializers.Serializer):
    member_services_phone = serializers.CharField(help_text="Empty until set: letters are held meanwhile.")
    appeals_address = serializers.CharField()
    held_notices = serializers.IntegerField(help_text="Notices of Action whose letter waits for the contact.")


class LetterContactView(PlanAPIView):
    """The contact every Notice of Action prints. Setting it releases the letters held for it."""

    capability = Capability.PLAN_SETTINGS_MANAGE

    def _output(self, plan):
        return LetterContactOutput(
            {
                "member_services_phone": plan.member_services_phone,
                "appeals_address": plan.appeals_address,
                "held_notices": selectors.notices_held(plan=plan).count(),
            }
        ).data

    @extend_schema(responses=LetterContactOutput)
    def get(self, request):
        return Response(self._output(request.plan))

    @extend_schema(request=LetterContactInput, responses=LetterContactOutput)
    def patch(self, request):
        payload = LetterContactInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        current = {
            "member_services_phone": request.plan.member_services_phone,
            "appeals_address": request.plan.appeals_address,
        }
        plan = letter_contact_set(plan=request.plan, actor=request.principal, **current | payload.validated_data)
        return Response(self._output(plan))


class AuthorizationSettingsSerializer(serializers.Serializer):
    presumptive_period_days = serializers.IntegerField(
        min_value=1,
        max_value=PRESUMPTIVE_PERIOD_MAX_DAYS,
        help_text="How long a presumptive authorization lasts until the plan decides.",
    )


class AuthorizationSettingsView(PlanAPIView):
    """The plan's authorization settings (DOMAIN 5.1)."""

    capability = Capability.PLAN_SETTINGS_MANAGE

    @extend_schema(responses=AuthorizationSettingsSerializer)
    def get(self, request):
        return Response(AuthorizationSettingsSerializer(authorization_settings(plan=request.plan)).data)

    @extend_schema(request=AuthorizationSettingsSerializer, responses=AuthorizationSettingsSerializer)
    def patch(self, request):
        payload = AuthorizationSettingsSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        current = authorization_settings(plan=request.plan)
        fields = {"presumptive_period_days": current.presumptive_period_days} | payload.validated_data
        settings = authorization_settings_update(plan=request.plan, actor=request.principal, **fields)
        return Response(AuthorizationSettingsSerializer(settings).data)


PATHS = [
    path("settings/contact/", LetterContactView.as_view(), name="settings-contact"),
    path("settings/authorizations/", AuthorizationSettingsView.as_view(), name="settings-authorizations"),
]
