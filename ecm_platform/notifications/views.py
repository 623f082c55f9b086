from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ecm_platform.notifications import selectors, services
from ecm_platform.pagination import keyset_page
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page


@plan_page(Capability.NOTIFICATIONS_READ)
def notification_list(request):
    notifications = selectors.notification_list(plan=request.plan, recipient=request.user)
    page = keyset_page(notifications, request.GET)
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@plan_page(Capability.NOTIFICATIONS_READ)
def notification_open(request, pk):
    """Mark one notification read and follow its link."""
    notification = selectors.notification_list(plan=request.plan, recipient=request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    services.notification_mark_read(plan=request.plan, notification=notification)
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("notification-list")


@require_POST
@plan_page(Capability.NOTIFICATIONS_READ)
def notification_read_all(request):
    services.notifications_mark_all_read(plan=request.plan, recipient=request.user)
    return redirect("notification-list")
