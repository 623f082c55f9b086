from ecm_platform.notifications.selectors import notifications_unread
from ecm_platform.pagination import badge_count


def unread_notifications(request):
    plan = getattr(request, "plan", None)
    if plan is None or not request.user.is_authenticated:
        return {}
    return {"unread_notifications": badge_count(notifications_unread(plan=plan, recipient=request.user))}
