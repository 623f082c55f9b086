from celery import shared_task

from authorizations.models import Notice
from authorizations.services import (
    discontinuations_take_effect,
    notice_pdf,
    requests_end_for_members_left,
    transition_import_job,
)
from authorizations.services.discontinuation import discontinuation_job
from authorizations.services.left_plan import left_plan_job
from authorizations.services.letter_contact import held_notices_release, releaser
from authorizations.services.requester_notices import requester_notice_email
from ecm_platform.jobs.services import import_job_run
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import PlanTask


@shared_task(base=PlanTask)
def authorization_jobs_task(*, plan: HealthPlan) -> dict:
    """One plan's daily lifecycle jobs (DOMAIN 5.2), each as its own system principal: decided
    discontinuations take effect on their date, and members who left the plan end their requests.
    Safe to rerun: what was done is not found again."""
    return {
        "discontinued": discontinuations_take_effect(plan=plan, actor=discontinuation_job(plan)),
        "ended": requests_end_for_members_left(plan=plan, actor=left_plan_job(plan)),
    }


@shared_task
def authorization_jobs_all() -> int:
    """Every day, late in the evening (a discontinuation appealed on its effective date still
    holds it): one run per active plan."""
    plan_ids = list(HealthPlan.objects.filter(is_active=True).values_list("pk", flat=True))
    for plan_id in plan_ids:
        authorization_jobs_task.delay(plan_id=plan_id)
    return len(plan_ids)


@shared_task(base=PlanTask)
def held_notices_release_task(*, plan: HealthPlan) -> list[int]:
    """Release the letters held for the plan's contact if it is set by now (a no-op otherwise)."""
    return held_notices_release(plan=plan, actor=releaser(plan))


@shared_task(base=PlanTask)
def notice_render_task(*, plan: HealthPlan, notice_id: int) -> None:
    """Render an issued notice's letter; a notice rendered already, held for the plan's contact (its
    release enqueues this again) or gone is left as it is."""
    notice = Notice.objects.filter(plan=plan, pk=notice_id).first()
    if notice is not None and not notice.is_held:
        notice_pdf(plan=plan, notice=notice)


@shared_task(base=PlanTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def requester_notice_email_task(*, plan: HealthPlan, told_id: int) -> bool:
    """Email a decision to its requester (DOMAIN 5.3); one sent already or gone is left alone."""
    return requester_notice_email(plan=plan, told_id=told_id)


@shared_task(base=PlanTask)
def transition_list_import_task(*, plan: HealthPlan, job_id: int) -> int | None:
    """A queued Member Transition List import (ecm_platform.jobs); a second delivery runs nothing."""
    job = import_job_run(plan=plan, job_id=job_id, work=transition_import_job)
    return job.pk if job is not None else None
