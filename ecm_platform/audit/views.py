"""Plan administrators search the audit trail and the PHI access log, and export them as CSV."""

import csv

from django.http import StreamingHttpResponse
from django.shortcuts import render

from ecm_platform.audit import selectors
from ecm_platform.audit.forms import AuditEventFilterForm, PhiAccessFilterForm
from ecm_platform.audit.models import PhiPurpose
from ecm_platform.audit.services import audit_record, phi_access_record
from ecm_platform.pagination import keyset_page
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from ecm_platform.tenancy.scoping import plan_scope

EXPORT_BATCH = 2000


class Echo:
    def write(self, value):
        return value


def csv_response(request, filename, header, rows, to_row):
    """Stream a CSV. The rows are read while streaming, after the view returned, so the generator
    enters the plan's scope itself."""
    plan = request.plan
    writer = csv.writer(Echo())

    def lines():
        yield writer.writerow(header)
        with plan_scope(plan):
            for row in rows.iterator(chunk_size=EXPORT_BATCH):
                yield writer.writerow(to_row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@plan_page(Capability.AUDIT_READ)
def audit_events(request):
    form = AuditEventFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_event_search(plan=request.plan, **filters)
    if request.GET.get("export") == "csv" and form.is_valid():
        audit_record(
            code="audit.events.exported",
            plan=request.plan,
            actor=request.principal,
            payload={key: str(value) for key, value in filters.items() if value},
        )
        return csv_response(
            request,
            f"audit-events-{request.plan.code}.csv",
            ["at", "code", "actor", "target_type", "target_id", "payload"],
            events,
            lambda e: [
                e.at.isoformat(),
                e.code,
                e.actor_label,
                e.target_type,
                e.target_id,
                e.payload,
            ],
        )
    page = keyset_page(events, request.GET)
    return render(request, "audit/events.html", {"form": form, "page": page})


@plan_page(Capability.AUDIT_READ)
def phi_accesses(request):
    form = PhiAccessFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    accesses = selectors.phi_access_search(plan=request.plan, **filters)
    if request.GET.get("export") == "csv" and form.is_valid():
        # The log names members: exporting it is itself a read of PHI.
        phi_access_record(
            plan=request.plan,
            user=request.user,
            purpose=PhiPurpose.EXPORT,
            member_label="PHI access log export",
            path=request.get_full_path(),
            row_count=accesses.count(),
        )
        return csv_response(
            request,
            f"phi-access-{request.plan.code}.csv",
            ["at", "user", "member_ids", "members", "what", "purpose", "rows", "path"],
            accesses,
            lambda a: [
                a.at.isoformat(),
                a.user.username,
                " ".join(str(member_id) for member_id in a.member_ids),
                " ".join(a.member_labels),
                a.label,
                a.purpose,
                a.row_count,
                a.path,
            ],
        )
    page = keyset_page(accesses, request.GET)
    return render(request, "audit/phi_accesses.html", {"form": form, "page": page})
