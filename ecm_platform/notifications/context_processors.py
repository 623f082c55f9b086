from ecm_platform.notifications.selectors import notifications_unread_in
from ecm_platform.pagination import Badges


def unread_notifications(request):
    """The bell's count: plan staff in the session's plan, provider staff in their contracting plans."""
    principal = getattr(request, "principal", None)
    if principal is None or not request.user.is_authenticated:
        return {}
    plan = getattr(request, "plan", None)
    if plan is None and not principal.is_provider:
        return {}
    plan_ids = [plan.pk] if plan is not None else sorted(principal.plan_ids)
    unread = notifications_unread_in(plan_ids=plan_ids, recipient=request.user)
    return {"unread_notifications": Badges.of(request).figure("unread_notifications", unread)}
