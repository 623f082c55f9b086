from ecm_platform.notifications.selectors import notifications_unread
from ecm_platform.pagination import Badges


def unread_notifications(request):
    plan = getattr(request, "plan", None)
    if plan is None or not request.user.is_authenticated:
        return {}
    unread = notifications_unread(plan=plan, recipient=request.user)
    return {"unread_notifications": Badges.of(request).figure("unread_notifications", unread)}
