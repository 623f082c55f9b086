from celery import shared_task

from community_supports.referral_notices import referral_notice_email
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import PlanTask


@shared_task(base=PlanTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def referral_notice_email_task(*, plan: HealthPlan, notice_id: int) -> bool:
    """Email a referral's notice (DOMAIN 9); one sent already or gone is left alone."""
    return referral_notice_email(plan=plan, notice_id=notice_id)
