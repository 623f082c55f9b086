"""A background import's progress page: it reloads itself while the job is queued or running
(the `Refresh` header: no script, so the strict CSP holds)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from ecm_platform.errors import ActionNotPermitted
from ecm_platform.jobs import selectors
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page

REFRESH_SECONDS = 2


@plan_page(Capability.PLAN_PAGES)
def import_job_detail(request, pk: int):
    try:
        job = selectors.import_job_get(plan=request.plan, actor=request.principal, pk=pk)
    except ActionNotPermitted as error:
        raise PermissionDenied(error.message) from error
    errors = job.report.get("errors", []) if isinstance(job.report, dict) else []
    response = render(request, "jobs/detail.html", {"job": job, "errors": errors})
    if job.is_active:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response
