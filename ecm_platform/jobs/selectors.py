from django.shortcuts import get_object_or_404

from ecm_platform.jobs.models import ImportJob
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan


def import_job_get(*, plan: HealthPlan, actor, pk: int) -> ImportJob:
    """One of the plan's jobs (404 otherwise), for whoever may start its kind."""
    job = get_object_or_404(ImportJob.objects.filter(plan=plan).defer("content"), pk=pk)
    require(actor, Capability(job.capability), plan=plan)
    return job
