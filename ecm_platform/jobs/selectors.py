from django.shortcuts import get_object_or_404

from ecm_platform.errors import ActionNotPermitted
from ecm_platform.jobs.models import IMPORT_CAPABILITIES, ImportJob
from ecm_platform.tenancy.access import Capability, principal_for, require
from ecm_platform.tenancy.models import HealthPlan


def require_some_import(actor, plan: HealthPlan) -> None:
    """Refuse (403) whoever may start no import at all in `plan`: checked before a job is looked up
    or stored, so a job's existence tells them nothing."""
    principal = principal_for(actor, plan)
    if principal is None or not any(principal.may(capability, plan=plan) for capability in IMPORT_CAPABILITIES):
        raise ActionNotPermitted("Your role in this plan may not start or read imports.")


def import_job_get(*, plan: HealthPlan, actor, pk: int) -> ImportJob:
    """One of the plan's jobs (404 otherwise), for whoever may start its kind."""
    require_some_import(actor, plan)
    job = get_object_or_404(ImportJob.objects.filter(plan=plan).defer("content"), pk=pk)
    require(actor, Capability(job.capability), plan=plan)
    return job
