"""Pages for authorizations (DOMAIN 5 and 6): the reviewer worklist, submitting and deciding a
request, its notices and attachments, and the transition reassessments.

Thin: reads through the selectors, writes through the services, which enforce the roles and the
state machine. The pages only show the buttons the user's role may use.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from authorizations import letters, selectors, services
from authorizations.forms import ACTION_FORMS, AttachmentForm, RequestForm, ServiceForm, WorklistFilterForm
from authorizations.models import PLACEABLE_STATUSES, RequestSource, Status, Urgency
from authorizations.request_records import request_records
from authorizations.services.limits import request_limits
from authorizations.services.notices import discontinuation_criterion_of
from benefits.models import ECM_CODE
from benefits.selectors import catalogue_services
from ecm_platform import clocks, uploads
from ecm_platform.audit.services import phi_read_record
from ecm_platform.deadlines.services import is_at_risk
from ecm_platform.errors import ActionNotPermitted, ConflictError, DomainError
from ecm_platform.pagination import keyset_page_ordered
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from eligibility.selectors import determinations_open_on, member_determinations, member_eligibility, pof_catalogue
from members.selectors import active_on, member_get
from providers.selectors import assignment_list, organization_choices

# The capability each action needs (DOMAIN 5.2; the services check it again): it decides which
# buttons a page shows and refuses a POST outright (403).
ACTION_CAPABILITIES = {
    "start_review": Capability.AUTHORIZATIONS_REVIEW,
    "extend": Capability.AUTHORIZATIONS_EXTEND,
    "resume": Capability.AUTHORIZATIONS_REVIEW,
    "approve": Capability.AUTHORIZATIONS_APPROVE,
    "deny": Capability.AUTHORIZATIONS_DENY,
    "withdraw": Capability.AUTHORIZATIONS_WITHDRAW,
    "start_services": Capability.AUTHORIZATIONS_START_SERVICES,
    "propose_discontinuation": Capability.DISCONTINUATIONS_PROPOSE,
    "discontinue": Capability.AUTHORIZATIONS_DISCONTINUE,
    "reassessed": Capability.REASSESSMENTS_RECORD,
    "assign_service_provider": Capability.ASSIGNMENTS_CREATE,
}
ACTION_LABELS = {
    "start_review": "Start review",
    "extend": "Extend the decision",
    "resume": "Resume review",
    "approve": "Approve",
    "deny": "Deny",
    "withdraw": "Withdraw",
    "start_services": "Start services",
    "propose_discontinuation": "Propose discontinuation",
    "discontinue": "Discontinue",
    "reassessed": "Record the reassessment",
    "assign_service_provider": "Place with a provider",
}
DONE = {
    "start_review": "The request is in review.",
    "extend": "The decision is extended.",
    "resume": "Review resumed.",
    "approve": "Approved.",
    "deny": "Denied.",
    "withdraw": "The request is withdrawn.",
    "start_services": "Services started.",
    "propose_discontinuation": "Discontinuation proposed; a reviewer decides.",
    "discontinue": "Discontinuation scheduled: services go on until its effective date.",
    "reassessed": "Reassessment recorded.",
    "assign_service_provider": "The member is placed with a provider of the service.",
}
HISTORY_LABELS = {
    "received": "Received",
    "presumptive": "Started presumptively",
    "active": "Authorized on transition",
    "start_review": "Review started",
    "extend": "Extended",
    "resume": "Review resumed",
    "approve": "Approved",
    "deny": "Denied",
    "withdraw": "Withdrawn",
    "overturn": "Overturned on appeal",
    "start_services": "Services started",
    "discontinuation_proposed": "Discontinuation proposed",
    "discontinue": "Discontinued",
    "reassessed": "Reassessed",
    "assignment_pending": "No ECM Provider available",
    "service_provider_pending": "No provider of the service with room",
}
# Actions that need no transition of their own, and the states they apply to.
EXTRA_ACTIONS = {
    "propose_discontinuation": (Status.ACTIVE,),
    "discontinue": (Status.ACTIVE,),
    "reassessed": (Status.ACTIVE,),
    # A Community Support approved while no provider had room (DOMAIN 9).
    "assign_service_provider": PLACEABLE_STATUSES,
}


def _call_service(action: str, *, plan, actor, auth_request, data: dict):
    if action == "reassessed":
        return services.transition_reassessment_record(plan=plan, actor=actor, request=auth_request, **data)
    if action == "assign_service_provider":
        return services.request_assign_service_provider(plan=plan, actor=actor, request=auth_request, **data)
    return getattr(services, f"request_{action}")(plan=plan, actor=actor, request=auth_request, **data)


def _action_form(action: str, auth_request, plan, data=None):
    """The action's form for this request: a Community Support's approval and discontinuation
    take its own checklist and criteria (DOMAIN 9); its placement lists the providers."""
    form_class = ACTION_FORMS[action]
    extra = {}
    if issubclass(form_class, ServiceForm):
        extra["service"] = auth_request.service
    if action == "assign_service_provider":
        extra["organizations"] = organization_choices(plan=plan)
    return form_class(data, prefix=action, **extra)


@dataclass(frozen=True)
class Clock:
    """The time remaining on a decision, in words, and its badge (DOMAIN 5.1)."""

    words: str
    state: str  # "overdue", "due-soon" (less than 24 hours) or "on-time"

    @property
    def badge(self) -> str:
        return {"overdue": "Overdue", "due-soon": "Due soon"}.get(self.state, "")


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h"
    return f"{minutes} min"


def clock_of(due: datetime | None, now: datetime) -> Clock | None:
    if due is None:
        return None
    left = clocks.time_remaining(due, now)
    if left <= timedelta(0):
        return Clock(f"overdue by {_span(-left)}", "overdue")
    return Clock(f"{_span(left)} left", "due-soon" if is_at_risk(due, now) else "on-time")


def _with_clocks(rows, now: datetime) -> list:
    rows = list(rows)
    for row in rows:
        row.clock = clock_of(row.due_at, now) if row.is_open else None
    return rows


# --- Worklists ----------------------------------------------------------------------------------


@plan_page(Capability.AUTHORIZATIONS_READ)
def worklist(request):
    form = WorklistFilterForm(request.GET or None, counties=request.plan.counties.all(), pofs=pof_catalogue())
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.request_worklist(
        plan=request.plan, **{name: filters.get(name, "") for name in ("urgency", "county", "pof", "source")}
    )
    page = keyset_page_ordered(rows, request.GET)
    page.rows = _with_clocks(page.rows, clocks.now())
    phi_read_record(
        membership=request.membership, path=request.get_full_path(), members=[row.member for row in page.rows]
    )
    return render(request, "authorizations/worklist.html", {"form": form, "page": page})


@plan_page(Capability.AUTHORIZATIONS_READ)
def member_authorizations(request, member_id):
    """A member's requests and Notices of Action, newest first (DOMAIN 5.3: listed on the member)."""
    member = member_get(plan=request.plan, pk=member_id)
    context = {
        "member": member,
        "requests": selectors.request_list(plan=request.plan).filter(member=member).order_by("-received_at", "-id"),
        "notices": selectors.notice_list(plan=request.plan).filter(member=member),
        "can_submit": request.principal.may(Capability.AUTHORIZATIONS_SUBMIT),
    }
    phi_read_record(membership=request.membership, path=request.get_full_path(), members=[member])
    return render(request, "authorizations/member.html", context)


# --- Submitting a request -----------------------------------------------------------------------


def _member_from(request):
    member_id = request.GET.get("member", "")
    if not member_id.isdigit():
        raise Http404("Name the member: ?member=<id>.")
    return member_get(plan=request.plan, pk=int(member_id))


@plan_page(Capability.AUTHORIZATIONS_SUBMIT)
def request_new(request):
    member = _member_from(request)
    today = clocks.local_date(clocks.now())
    claimed = [d.pof.code for d in determinations_open_on(plan=request.plan, member=member, day=today)]
    offered = catalogue_services(today).prefetch_related(None)  # the choices: no aliases or codes
    # ?service=<code> preselects a service (a link from the member's allowances; no script needed).
    asked = request.GET.get("service", "")
    chosen = asked if asked and offered.filter(code=asked).exists() else ECM_CODE
    form = RequestForm(
        request.POST or None,
        organizations=organization_choices(plan=request.plan),
        pofs=pof_catalogue(today).order_by("name"),
        services=offered,
        initial={"pofs": claimed, "urgency": Urgency.ROUTINE, "service": chosen},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            auth_request = services.request_submit(
                plan=request.plan, actor=request.principal, member=member, **data | {"pofs": list(data["pofs"])}
            )
        except ActionNotPermitted as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            due = auth_request.due_at.astimezone(clocks.LOCAL_ZONE)
            messages.success(request, f"Request received: the decision is due {due:%Y-%m-%d %H:%M %Z}.")
            return redirect("authorization-detail", pk=auth_request.pk)
    phi_read_record(membership=request.membership, path=request.get_full_path(), members=[member])
    return render(request, "authorizations/request_form.html", {"member": member, "form": form})


@require_POST
@plan_page(Capability.AUTHORIZATIONS_SUBMIT)
def request_start(request, member_id):
    """One click from the high-utilizer worklist: the plan identified the member (DOMAIN 5.1)."""
    member = member_get(plan=request.plan, pk=member_id)
    current = selectors.live_request_of(plan=request.plan, member=member, service=ECM_CODE)
    if current is not None:
        messages.info(
            request, f"{member.full_name} already has request {current.pk} ({current.get_status_display().lower()})."
        )
        return redirect("authorization-detail", pk=current.pk)
    today = clocks.local_date(clocks.now())
    pofs = [d.pof for d in determinations_open_on(plan=request.plan, member=member, day=today)]
    try:
        auth_request = services.request_submit(
            plan=request.plan,
            actor=request.principal,
            member=member,
            source=RequestSource.MCP_IDENTIFICATION,
            urgency=Urgency.ROUTINE,
            pofs=list({pof.pk: pof for pof in pofs}.values()),
        )
    except ActionNotPermitted as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("member-detail", pk=member.pk)
    messages.success(request, f"Request {auth_request.pk} started for {member.full_name}.")
    return redirect("authorization-detail", pk=auth_request.pk)


# --- The request page and its actions ------------------------------------------------------------


def available_actions(auth_request, principal) -> list[str]:
    """The actions the request's state allows and the principal may take, in page order."""
    allowed = {t.name for t in auth_request.get_available_status_transitions()}
    for action, states in EXTRA_ACTIONS.items():
        if auth_request.status in states:
            allowed.add(action)
    if not auth_request.reassessment_due or auth_request.reassessed_on:
        allowed.discard("reassessed")
    placement = auth_request.service_assignment
    if auth_request.service.is_ecm or (
        placement is not None and not placement.has_ended_by(clocks.local_date(clocks.now()))
    ):
        allowed.discard("assign_service_provider")
    return [action for action in ACTION_FORMS if action in allowed and principal.may(ACTION_CAPABILITIES[action])]


def _render_detail(request, auth_request, bound_form=None, status=200):
    plan, member = request.plan, auth_request.member
    now = clocks.now()
    today = clocks.local_date(now)
    action_forms = [
        {
            "name": action,
            "label": ACTION_LABELS[action],
            "form": bound_form
            if bound_form is not None and bound_form.prefix == action
            else _action_form(action, auth_request, plan),
        }
        for action in available_actions(auth_request, request.principal)
    ]
    # The open determinations the page lists are the ones the eligibility rules read.
    determinations = list(
        member_determinations(plan=plan, member=member, day=today).filter(active_on(today)).order_by("start_date", "id")
    )
    context = {
        "auth_request": auth_request,
        "clock": clock_of(auth_request.due_at, now) if auth_request.is_open else None,
        "today": today,
        "eligibility": member_eligibility(plan=plan, member=member, day=today, determinations=determinations),
        "determinations": determinations,
        "assignment": assignment_list(plan=plan)
        .filter(member=member, ended_on__isnull=True)
        .order_by("-started_on", "-id")
        .first()
        if auth_request.service.is_ecm
        else None,
        # A Community Support's own limits: what the member used, this request asks, and remains.
        "allowances": request_limits(plan=plan, request=auth_request),
        # A Community Support's criterion (FAQ 39), shown once the discontinuation is decided (dated).
        "discontinuation_criterion": (
            discontinuation_criterion_of(auth_request.service, auth_request.discontinuation_criterion) or {}
        ).get("en", "")
        if auth_request.discontinuation_effective_on
        else "",
        "placement_ended": bool(
            auth_request.service_assignment and auth_request.service_assignment.has_ended_by(today)
        ),
        **_with_history_labels(request_records(plan=plan, request=auth_request)),
        "action_forms": action_forms,
        "attachment_form": AttachmentForm() if request.principal.may(Capability.ATTACHMENTS_ADD) else None,
    }
    phi_read_record(membership=request.membership, path=request.get_full_path(), members=[member])
    return render(request, "authorizations/detail.html", context, status=status)


def _with_history_labels(records: dict[str, list]) -> dict[str, list]:
    for event in records["history"]:
        verb = event.code.rsplit(".", 1)[-1]
        event.what = HISTORY_LABELS.get(verb, verb.replace("_", " ").capitalize())
    return records


@plan_page(Capability.AUTHORIZATIONS_READ)
def request_detail(request, pk):
    return _render_detail(request, selectors.request_get(plan=request.plan, pk=pk))


# The worklists whose rows act on a request and come back; no other page may be named.
RETURN_PAGES = ("reassessment-worklist", "awaiting-provider-worklist")


def _back(request, auth_request):
    named = next((name for name in RETURN_PAGES if request.POST.get("next") == reverse(name)), None)
    return redirect(named) if named else redirect("authorization-detail", pk=auth_request.pk)


@require_POST
@plan_page(Capability.AUTHORIZATIONS_READ)
def request_action(request, pk, action):
    if action not in ACTION_FORMS:
        raise Http404("No such action.")
    auth_request = selectors.request_get(plan=request.plan, pk=pk)
    if not request.principal.may(ACTION_CAPABILITIES[action]):
        raise PermissionDenied(f"Your role in this plan may not {ACTION_LABELS[action].lower()}.")
    # Optimistic concurrency from the browser: the page said which status it showed.
    if request.POST.get("expected_status") != auth_request.status:
        messages.error(
            request,
            f"Someone else changed this request since you opened it: it is now "
            f"{auth_request.get_status_display().lower()}. Nothing was saved; review it and try again.",
        )
        return redirect("authorization-detail", pk=auth_request.pk)
    form = _action_form(action, auth_request, request.plan, request.POST)
    if not form.is_valid():
        return _render_detail(request, auth_request, bound_form=form, status=400)
    try:
        _call_service(
            action, plan=request.plan, actor=request.principal, auth_request=auth_request, data=form.cleaned_data
        )
    except ActionNotPermitted as error:
        raise PermissionDenied(error.message) from error
    except ConflictError as error:
        messages.error(request, f"Someone else changed this request, or it cannot take this step now: {error.message}")
        return redirect("authorization-detail", pk=auth_request.pk)
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        fresh = selectors.request_get(plan=request.plan, pk=pk)
        return _render_detail(request, fresh, bound_form=form, status=400)
    messages.success(request, DONE[action])
    return _back(request, auth_request)


# --- Attachments --------------------------------------------------------------------------------


@require_POST
@plan_page(Capability.ATTACHMENTS_ADD)
def attachment_add(request, pk):
    auth_request = selectors.request_get(plan=request.plan, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a file to attach.")
    elif form.cleaned_data["file"].size > uploads.MAX_DOCUMENT_BYTES:
        messages.error(request, "Attachments are at most 10 MB.")
    else:
        upload = form.cleaned_data["file"]
        try:
            services.attachment_add(
                plan=request.plan,
                actor=request.principal,
                request=auth_request,
                name=upload.name,
                content_type=upload.content_type or "",
                content=upload.read(),
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Attached {upload.name}.")
    return redirect("authorization-detail", pk=auth_request.pk)


@plan_page(Capability.AUTHORIZATIONS_READ)
def attachment_download(request, pk):
    attachment = (
        selectors.attachment_list(plan=request.plan).defer(None).select_related("request__member").filter(pk=pk).first()
    )
    if attachment is None:
        raise Http404("No such attachment.")
    phi_read_record(membership=request.membership, path=request.get_full_path(), members=[attachment.request.member])
    return uploads.document_download(
        bytes(attachment.content), name=attachment.name, content_type=attachment.content_type
    )


# --- Notices of Action (DOMAIN 5.3) -------------------------------------------------------------


def _letter_held(request, notice):
    """DOMAIN 5.3: a notice issued while the plan had no contact has no letter yet."""
    messages.warning(request, "This notice's letter is held until the plan administrator sets the plan's contact.")
    return redirect("authorization-detail", pk=notice.request_id)


# The letter carries its CSS inline (it is also the PDF's source); scripts stay forbidden.
@csp_update({"style-src": [UNSAFE_INLINE]})
@plan_page(Capability.AUTHORIZATIONS_READ)
def notice_preview(request, pk):
    notice = selectors.notice_get(plan=request.plan, pk=pk)
    if notice.is_held:
        return _letter_held(request, notice)
    phi_read_record(membership=request.membership, path=request.get_full_path(), members=[notice.member])
    return HttpResponse(letters.render_letter_html(notice.content, notice.language))


@plan_page(Capability.AUTHORIZATIONS_READ)
def notice_pdf(request, pk):
    notice = selectors.notice_get(plan=request.plan, pk=pk)
    if notice.is_held:
        return _letter_held(request, notice)
    phi_read_record(membership=request.membership, path=request.get_full_path(), members=[notice.member])
    response = HttpResponse(services.notice_pdf(plan=request.plan, notice=notice), content_type="application/pdf")
    filename = f"notice-{notice.pk}-{notice.notice_type}-{notice.notice_date:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
