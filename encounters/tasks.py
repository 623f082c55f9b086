from celery import shared_task

from ecm_platform.jobs.services import import_job_run
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import PlanTask
from encounters.services import invoice_file_job


@shared_task(base=PlanTask)
def invoice_import_task(*, plan: HealthPlan, job_id: int) -> int | None:
    """A queued invoice file (ecm_platform.jobs); a second delivery runs nothing."""
    job = import_job_run(plan=plan, job_id=job_id, work=invoice_file_job)
    return job.pk if job is not None else None
