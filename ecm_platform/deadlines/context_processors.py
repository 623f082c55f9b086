from functools import cached_property

from ecm_platform import clocks
from ecm_platform.deadlines.selectors import deadlines_needing_action as needing_action
from ecm_platform.pagination import badge_count
from ecm_platform.tenancy.access import Capability


class DeadlinesNeedingAction:
    """The count beside "Deadlines" in the navigation, counted only where a page shows it."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def count(self) -> str:
        return badge_count(needing_action(plan=self.request.plan, principal=self.request.principal, now=clocks.now()))


def deadlines_needing_action(request):
    principal, plan = getattr(request, "principal", None), getattr(request, "plan", None)
    if plan is None or principal is None or not principal.may(Capability.DEADLINES_READ, plan=plan):
        return {}
    return {"deadlines_needing_action": DeadlinesNeedingAction(request)}
