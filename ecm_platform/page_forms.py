"""Browser forms that call a service: its refusals become the form's errors, and an irreversible
action asks once more before it runs.

A page validates the form, then calls the same service the API calls; the service checks the role
and the rules, writes the audit trail and raises typed errors, which land here on the form that was
posted so the page re-renders it with the message beside the field (HTTP 400, 409 when someone
else acted first)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from ecm_platform.errors import ActionNotPermitted, DomainError

CONFIRMED = "confirmed"  # the name of the confirmation step's button


def call_service(form, service, **kwargs):
    """(result, 200) or, when the service refused, (None, the error's status) with the error on
    `form`: on its field when the service named one the form has, else above the form."""
    try:
        return service(**kwargs), 200
    except ActionNotPermitted as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None, error.status_code


def is_confirmed(request) -> bool:
    return request.POST.get(CONFIRMED) == "yes"


def confirmation_page(request, form, *, title: str, question: str, button: str, back: str, facts=()):
    """The second step of an irreversible action: what will happen, the posted values carried as
    hidden fields, and one button that posts them again, confirmed."""
    context = {
        "form": form,
        "title": title,
        "question": question,
        "button": button,
        "back": back,
        "facts": facts,
        "confirmed_name": CONFIRMED,
    }
    return render(request, "partials/confirm.html", context)
