"""Pages for members and eligibility: search, the member page, the worklist, claims, scans."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ecm_platform import clocks
from ecm_platform.audit.services import phi_read_record
from ecm_platform.csv_reader import csv_rows
from ecm_platform.deadlines.views import member_deadlines_context
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.pagination import keyset_page, keyset_page_ordered
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from eligibility import intake, scan, selectors, services
from eligibility.forms import (
    AsOfForm,
    ClaimsUploadForm,
    DeterminationForm,
    MemberSearchForm,
    WorklistFilterForm,
)
from eligibility.models import ScanStatus
from members import selectors as member_selectors

DEFAULT_WORKLIST_POF = "HIGH_UTILIZER"
WORKLIST_SORTS = {
    "-flagged": ["-start_date", "-id"],
    "flagged": ["start_date", "id"],
    "name": ["member__last_name", "member__first_name", "id"],
    "county": ["member__county__name", "-start_date", "id"],
}


@plan_page(Capability.MEMBERS_READ)
def member_search(request):
    form = MemberSearchForm(request.GET or None)
    page = None
    if form.has_criteria():
        rows = member_selectors.member_search(plan=request.plan, **form.cleaned_data).order_by("-id")
        page = keyset_page(rows, request.GET)
        phi_read_record(membership=request.membership, path=request.get_full_path(), members=page.rows)
    return render(request, "eligibility/member_search.html", {"form": form, "page": page})


@plan_page(Capability.MEMBERS_READ)
def member_detail(request, pk):
    member = member_selectors.member_get(plan=request.plan, pk=pk)
    as_of_form = AsOfForm(request.GET or None)
    as_of = (as_of_form.is_valid() and as_of_form.cleaned_data["as_of"]) or clocks.local_date(clocks.now())
    phi_read_record(membership=request.membership, path=request.get_full_path(), members=[member])
    # The lists the page shows are the ones the rules read (each row marked open on the day or not).
    programs = list(selectors.member_programs(plan=request.plan, member=member, day=as_of))
    determinations = list(
        selectors.member_determinations(plan=request.plan, member=member, day=as_of).order_by("-start_date")
    )
    context = {
        "member": member,
        "as_of_form": as_of_form,
        "as_of": as_of,
        "eligibility": selectors.member_eligibility(
            plan=request.plan, member=member, day=as_of, determinations=determinations, programs=programs
        ),
        "enrollments": member_selectors.enrollment_spans(plan=request.plan, member=member),
        "programs": programs,
        "determinations": determinations,
        "pofs": selectors.pof_catalogue(as_of),
        "can_record": request.principal.may(Capability.DETERMINATIONS_RECORD),
        **member_deadlines_context(plan=request.plan, member=member),
    }
    return render(request, "eligibility/member_detail.html", context)


@plan_page(Capability.DETERMINATIONS_RECORD)
def determination_new(request, pk):
    member = member_selectors.member_get(plan=request.plan, pk=pk)
    pof = selectors.pof_catalogue().filter(code=request.GET.get("pof") or request.POST.get("pof")).first()
    if pof is None:
        raise Http404("No such Population of Focus.")
    form = DeterminationForm(request.POST or None, pof=pof, initial={"start_date": clocks.local_date(clocks.now())})
    if request.method == "POST" and form.is_valid():
        try:
            services.determination_record(
                plan=request.plan, member=member, pof=pof, actor=request.principal, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Recorded: {pof.name}.")
            return redirect("member-detail", pk=member.pk)
    return render(request, "eligibility/determination_form.html", {"member": member, "pof": pof, "form": form})


@plan_page(Capability.MEMBER_WORKLISTS)
def worklist(request):
    pofs, counties = list(selectors.pof_catalogue()), list(request.plan.counties.all())
    form = WorklistFilterForm(request.GET or None, counties=counties, pofs=pofs, initial={"pof": DEFAULT_WORKLIST_POF})
    filters = form.cleaned_data if form.is_valid() else {}
    # The member's plan is the determination's (services refuse a cross-plan link): naming it lets
    # the name sort walk the members' (plan, last_name, first_name) index.
    rows = selectors.determination_list(plan=request.plan).filter(end_date__isnull=True, member__plan=request.plan)
    rows = rows.select_related("member__county")
    pof_code = filters.get("pof", "") if request.GET else DEFAULT_WORKLIST_POF
    # By id, from the lists the form already read: the planner then sees the value the index
    # (plan, pof, start_date, id) leads with.
    if pof_code:
        rows = rows.filter(pof__in=[pof for pof in pofs if pof.code == pof_code])
    if filters.get("county"):
        rows = rows.filter(member__county__in=[county for county in counties if county.code == filters["county"]])
    last_run = selectors.scan_run_list(plan=request.plan).filter(status=ScanStatus.SUCCEEDED).first()
    if filters.get("new_only"):
        rows = rows.filter(scan_run=last_run) if last_run else rows.none()
    rows = rows.order_by(*WORKLIST_SORTS.get(filters.get("sort") or "-flagged"))
    page = keyset_page_ordered(rows, request.GET)
    phi_read_record(
        membership=request.membership, path=request.get_full_path(), members=[row.member for row in page.rows]
    )
    return render(
        request,
        "eligibility/worklist.html",
        {"form": form, "page": page, "last_run": last_run, "pof_code": pof_code},
    )


@plan_page(Capability.UTILIZATION_FEED)
def claims_upload(request):
    """Limits first (size, then rows: DOMAIN 11), then one pass reporting every error of every row."""
    form = ClaimsUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = list(csv_rows(upload, required=intake.REQUIRED))
            if len(rows) > intake.REQUEST_ROWS:
                raise DomainError(
                    f"The file has {len(rows):,} rows; the upload page takes at most {intake.REQUEST_ROWS:,}. "
                    "Nothing was checked: split the file, or load it with manage.py load_claims."
                )
            report = intake.claims_load(plan=request.plan, rows=rows, actor=request.principal, source=upload.name)
        except DomainError as error:
            form.add_error("file", error.message)
    context = {"form": form, "report": report, "columns": intake.COLUMNS}
    refused = request.method == "POST" and (form.errors or (report is not None and report.error_count))
    return render(request, "eligibility/claims_upload.html", context, status=400 if refused else 200)


@plan_page(Capability.ELIGIBILITY_READ)
def scan_list(request):
    page = keyset_page(selectors.scan_run_list(plan=request.plan), request.GET, size=25)
    can_start = request.principal.may(Capability.SCAN_RUN)
    return render(request, "eligibility/scans.html", {"page": page, "can_start": can_start})


@require_POST
@plan_page(Capability.SCAN_RUN)
def scan_start(request):
    try:
        run = scan.scan_start(plan=request.plan, actor=request.principal)
    except ConflictError as error:
        messages.error(request, f"Scan {error.facts['running_run']} is queued or running; try again once it is done.")
    else:
        messages.success(request, f"Scan {run.pk} has started; it appears below when done.")
    return redirect("scan-list")
