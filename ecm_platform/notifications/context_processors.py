from ecm_platform.notifications.selectors import notification_unread_count


def unread_notifications(request):
    plan = getattr(request, "plan", None)
    if plan is None or not request.user.is_authenticated:
        return {}
    return {"unread_notifications": notification_unread_count(plan=plan, recipient=request.user)}
