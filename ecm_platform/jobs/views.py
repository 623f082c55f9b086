"""A background import's progress page: it reloads itself while the job is queued or running
(the `Refresh` header: no script, so the strict CSP holds)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from ecm_platform.errors import ActionNotPermitted
from ecm_platform.jobs import services
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page

REFRESH_SECONDS = 2


@plan_page(Capability.PLAN_PAGES)
def import_job_detail(request, pk: int):
    try:
        job = services.import_job_read(plan=request.plan, actor=request.principal, pk=pk, path=request.get_full_path())
    except ActionNotPermitted as error:
        raise PermissionDenied(error.message) from error
    response = render(request, "jobs/detail.html", {"job": job})
    if job.is_active:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response
