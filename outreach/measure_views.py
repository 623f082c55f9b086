"""The quarterly outreach measures' pages (DOMAIN 8, 10): the runs with the build form, one run's
figures (the five measures in total and per county, POF and provider, each as a table and a chart),
and its CSV and XLSX files.

A chart is an SVG drawn on the server by pygal, without its script, shown as an image with alt text
(the content security policy forbids inline scripts and styles in the page; an image's own styles
are its own); the table beside it is the accessible equivalent.
"""

from base64 import b64encode
from dataclasses import dataclass

import pygal
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from ecm_platform import clocks
from ecm_platform.page_forms import call_service
from ecm_platform.pagination import keyset_page
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from outreach.forms import MeasureBuildForm
from outreach.measure_runs import (
    MEASURES,
    measure_run_build,
    measure_run_csv,
    measure_run_get,
    measure_run_xlsx,
    measure_runs_of,
)
from outreach.measures import STRATIFICATIONS
from outreach.models import MeasureRun, Method

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_STYLE = pygal.style.Style(
    background="white", plot_background="white", foreground="#1f2933", colors=("#1d4ed8",), font_family="sans-serif"
)


@dataclass(frozen=True)
class Chart:
    title: str
    source: str  # a data: URL
    alt: str


def _current_quarter() -> tuple[int, int]:
    today = clocks.local_date(clocks.now())
    return today.year, (today.month - 1) // 3 + 1


@plan_page(Capability.OUTREACH_MEASURES_READ)
def measure_runs(request):
    may_build = request.principal.may(Capability.OUTREACH_MEASURES_BUILD)
    year, quarter = _current_quarter()
    form = MeasureBuildForm(request.POST or None, initial={"year": year, "quarter": quarter}) if may_build else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Your role may not build outreach measures.")
        if form.is_valid():
            run, _ = call_service(
                form, measure_run_build, plan=request.plan, actor=request.principal, **form.cleaned_data
            )
            if run is not None:
                messages.success(request, f"Outreach measures for {run.year} Q{run.quarter} built.")
                return redirect("outreach-measure", pk=run.pk)
    page = keyset_page(measure_runs_of(plan=request.plan, principal=request.principal), request.GET)
    context = {"page": page, "form": form}
    return render(
        request, "outreach/measure_runs.html", context, status=400 if form is not None and form.errors else 200
    )


def _run(request, pk) -> MeasureRun:
    try:
        return measure_run_get(plan=request.plan, principal=request.principal, pk=pk)
    except MeasureRun.DoesNotExist as error:
        raise Http404("No such measures run.") from error


def _chart(label: str, key: str, strata: list[dict], dimension: str) -> Chart:
    chart = pygal.HorizontalBar(
        js=[], disable_xml_declaration=True, show_legend=False, width=640, height=max(160, 60 + 36 * len(strata)),
        style=CHART_STYLE, title=f"{label} by {dimension.lower()}", print_values=True,
    )  # fmt: skip
    chart.x_labels = [stratum["label"] for stratum in strata]
    chart.add(label, [stratum[key] for stratum in strata])
    words = "; ".join(f"{stratum['label']}: {stratum[key]}" for stratum in strata) or "no figures"
    source = "data:image/svg+xml;base64," + b64encode(chart.render().encode()).decode()
    return Chart(
        title=f"{label} by {dimension.lower()}", source=source, alt=f"{label} by {dimension.lower()}: {words}."
    )


@plan_page(Capability.OUTREACH_MEASURES_READ)
def measure_run_detail(request, pk):
    run = _run(request, pk)
    figures = run.figures
    keys = [key for key, _ in MEASURES]
    tables = [
        {
            "name": name,
            "title": title,
            "rows": [(stratum["label"], [stratum[key] for key in keys]) for stratum in figures.get(name, [])],
        }
        for name, title in STRATIFICATIONS
    ]
    total = figures["total"]
    context = {
        "run": run,
        "measures": MEASURES,
        "total": [(key, label, total[key]) for key, label in MEASURES],
        "by_method": [(method.label, total["attempts_by_method"].get(method.value, 0)) for method in Method],
        "tables": tables,
        # One chart per measure, by county: the stratification every plan has.
        "charts": [_chart(label, key, figures.get("by_county", []), "County") for key, label in MEASURES],
    }
    return render(request, "outreach/measure_run.html", context)


def _download(run: MeasureRun, content, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    filename = f"outreach-measures-{run.year}-q{run.quarter}-run-{run.pk}.{extension}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@plan_page(Capability.OUTREACH_MEASURES_READ)
def measure_run_download_csv(request, pk):
    run = _run(request, pk)
    return _download(run, measure_run_csv(run), "text/csv; charset=utf-8", "csv")


@plan_page(Capability.OUTREACH_MEASURES_READ)
def measure_run_download_xlsx(request, pk):
    run = _run(request, pk)
    return _download(run, measure_run_xlsx(run), XLSX, "xlsx")
