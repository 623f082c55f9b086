from celery import shared_task

from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import PlanTask
from providers.services.contracts import contract_end_job, contracts_end_due


@shared_task(base=PlanTask)
def contract_ends_task(*, plan: HealthPlan) -> int:
    """One plan's contracts past their end date: their members are reassigned (DOMAIN 7)."""
    return contracts_end_due(plan=plan, actor=contract_end_job(plan))


@shared_task
def contract_ends_all() -> int:
    """Every day just after midnight, once a contract's last day is over: one run per active plan."""
    plan_ids = list(HealthPlan.objects.filter(is_active=True).values_list("pk", flat=True))
    for plan_id in plan_ids:
        contract_ends_task.delay(plan_id=plan_id)
    return len(plan_ids)
