from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from ecm_platform.deadlines.models import LIVE_STATES, Deadline
from ecm_platform.tenancy.models import HealthPlan


def deadline_list(*, plan: HealthPlan, states=LIVE_STATES) -> QuerySet[Deadline]:
    return Deadline.objects.filter(plan=plan, state__in=states).select_related("member")


def deadlines_owned_by(*, plan: HealthPlan, principal, states=LIVE_STATES) -> QuerySet[Deadline]:
    """The clocks this principal's role must act on: the "deadlines" page of each role."""
    return deadline_list(plan=plan, states=states).filter(owner__in=[str(c) for c in principal.capabilities])


def deadlines_of_member(*, plan: HealthPlan, member, states=LIVE_STATES) -> QuerySet[Deadline]:
    return deadline_list(plan=plan, states=states).filter(member=member)


def deadlines_of(*, plan: HealthPlan, target: Model, states=LIVE_STATES) -> QuerySet[Deadline]:
    return deadline_list(plan=plan, states=states).filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )
