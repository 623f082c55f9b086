from ecm_platform import clocks
from ecm_platform.deadlines.selectors import deadlines_needing_action as needing_action
from ecm_platform.pagination import Badges
from ecm_platform.tenancy.access import Capability


def deadlines_needing_action(request):
    """The figure beside "Deadlines" in the navigation: the user's clocks at risk or overdue,
    counted with the page's other badges, only where a page shows it."""
    principal, plan = getattr(request, "principal", None), getattr(request, "plan", None)
    if plan is None or principal is None or not principal.may(Capability.DEADLINES_READ, plan=plan):
        return {}
    rows = needing_action(plan=plan, principal=principal, now=clocks.now())
    return {"deadlines_needing_action": Badges.of(request).figure("deadlines_needing_action", rows)}
