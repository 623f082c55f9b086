"""Encounter pages (DOMAIN 10, 11): the plan's encounters, one encounter, an invoice CSV upload (a
background job: the page sends the user to the job's progress page and row report) and a form for
one invoice line. Thin: reads through encounters.selectors, writes through encounters.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from ecm_platform.audit.services import phi_read_record
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.pagination import keyset_page
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from encounters import selectors, services
from encounters.forms import InvoiceFileForm, InvoiceLineForm


@plan_page(Capability.ENCOUNTERS_READ)
def encounter_list(request):
    """The plan's encounters, newest recorded first."""
    rows = selectors.encounters_visible(plan=request.plan, principal=request.principal).order_by("-id")
    page = keyset_page(rows, request.GET)
    phi_read_record(principal=request.principal, path=request.get_full_path(), members=[e.member for e in page.rows])
    return render(request, "encounters/list.html", {"page": page})


@plan_page(Capability.ENCOUNTERS_READ)
def encounter_detail(request, pk):
    encounter = selectors.encounter_get(plan=request.plan, principal=request.principal, pk=pk)
    phi_read_record(principal=request.principal, path=request.get_full_path(), members=[encounter.member])
    return render(request, "encounters/detail.html", {"encounter": encounter})


@plan_page(Capability.INVOICES_UPLOAD)
def invoice_upload(request):
    """Start the invoice's import and go to its progress page; 400 with the reason when the file
    or its header is refused, 409 while another invoice is importing."""
    form = InvoiceFileForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.invoice_file_start(
                plan=request.plan, actor=request.principal, content=upload.read(), source_name=upload.name
            )
        except ActionNotPermitted as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            form.add_error("file", error.message)
            status = error.status_code
        else:
            return redirect("import-job", pk=job.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "encounters/invoice_upload.html", {"form": form}, status=status)


@plan_page(Capability.INVOICES_UPLOAD)
def invoice_line(request):
    """Record one invoice line; the line's errors show beside its fields."""
    form = InvoiceLineForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            report = services.invoice_lines_record(plan=request.plan, actor=request.principal, lines=[form.line()])
        except ActionNotPermitted as error:
            raise PermissionDenied(error.message) from error
        except services.InvoiceLinesInvalid as invalid:
            for error in invalid.errors:
                form.add_error(error["field"] if error["field"] in form.fields else None, error["message"])
            status = 400
        except DomainError as error:  # e.g. no invoice column map in force that day
            form.add_error(error.field if error.field in form.fields else None, error.message)
            status = 400
        else:
            data = form.cleaned_data
            encounter = selectors.encounter_of_invoice_line(
                plan=request.plan, principal=request.principal, npi=data["provider_npi"].strip(),
                invoice_number=data["invoice_number"].strip(), line_number=data["line_number"],
            )  # fmt: skip
            messages.success(request, "Recorded." if report["created"] else "Recorded before with these values.")
            return redirect("encounter", pk=encounter.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "encounters/invoice_line.html", {"form": form}, status=status)
