"""The plan administrator's pages for the settings the authorizations app reads: the contact the
letters print (DOMAIN 5.3) and the presumptive period (DOMAIN 5.1). Thin: the forms name the field
at fault; the services check the capability, validate again and audit."""

from functools import partial

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from authorizations import selectors
from authorizations.services.letter_contact import letter_contact_set
from authorizations.services.settings import (
    PRESUMPTIVE_PERIOD_MAX_DAYS,
    authorization_settings,
    authorization_settings_update,
)
from ecm_platform.errors import DomainError
from ecm_platform.tenancy import contact
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page


class LetterContactForm(forms.Form):
    member_services_phone = forms.CharField(
        label="Member services phone",
        max_length=contact.PHONE_MAX_LENGTH,
        help_text="As members dial it, e.g. 1-800-555-0100. Every letter gives it for questions and appeals.",
    )
    appeals_address = forms.CharField(
        label="Appeals address",
        max_length=contact.ADDRESS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The mailing address members write to for an appeal, one line per line of the envelope.",
    )

    def clean_member_services_phone(self):
        phone = self.cleaned_data["member_services_phone"]
        if problem := contact.phone_problem(phone):
            raise forms.ValidationError(problem)
        return phone

    def clean_appeals_address(self):
        address = self.cleaned_data["appeals_address"]
        if problem := contact.address_problem(address):
            raise forms.ValidationError(problem)
        return address


class AuthorizationSettingsForm(forms.Form):
    presumptive_period_days = forms.IntegerField(
        label="Presumptive period (days)",
        min_value=1,
        max_value=PRESUMPTIVE_PERIOD_MAX_DAYS,
        help_text="How long a presumptive authorization lasts until the plan decides.",
    )


def _saved(form, save) -> bool:
    """Call the service; a refusal becomes the message of the field it names."""
    try:
        save()
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False
    return True


@plan_page(Capability.PLAN_SETTINGS_MANAGE)
def letter_contact(request):
    plan = request.plan
    initial = {"member_services_phone": plan.member_services_phone, "appeals_address": plan.appeals_address}
    form = LetterContactForm(request.POST or None, initial=initial)
    held = selectors.notices_held(plan=plan).count()
    save = partial(letter_contact_set, plan=plan, actor=request.principal)
    if form.is_bound and form.is_valid() and _saved(form, lambda: save(**form.cleaned_data)):
        released = f" {held} held letter(s) released." if held else ""
        messages.success(request, f"The letters' contact is saved.{released}")
        return redirect("settings-letters")
    context = {"form": form, "held_count": held}
    return render(request, "authorizations/settings_letters.html", context, status=400 if form.errors else 200)


@plan_page(Capability.PLAN_SETTINGS_MANAGE)
def authorization_settings_page(request):
    current = authorization_settings(plan=request.plan)
    form = AuthorizationSettingsForm(
        request.POST or None, initial={"presumptive_period_days": current.presumptive_period_days}
    )
    save = partial(authorization_settings_update, plan=request.plan, actor=request.principal)
    if form.is_bound and form.is_valid() and _saved(form, lambda: save(**form.cleaned_data)):
        messages.success(request, "Authorization settings saved.")
        return redirect("settings-authorizations")
    return render(
        request, "authorizations/settings_authorizations.html", {"form": form}, status=400 if form.errors else 200
    )
