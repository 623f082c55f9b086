from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ecm_platform.notifications import selectors, services
from ecm_platform.pagination import keyset_page
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import staff_page, staff_plan_ids


@staff_page(Capability.NOTIFICATIONS_READ)
def notification_list(request):
    notifications = selectors.notifications_in(plan_ids=staff_plan_ids(request), recipient=request.user)
    page = keyset_page(notifications, request.GET)
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@staff_page(Capability.NOTIFICATIONS_READ)
def notification_open(request, pk):
    """Mark one notification read and follow its link."""
    mine = selectors.notifications_in(plan_ids=staff_plan_ids(request), recipient=request.user)
    notification = mine.select_related("plan").filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    services.notification_mark_read(plan=notification.plan, notification=notification)
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("notification-list")


@require_POST
@staff_page(Capability.NOTIFICATIONS_READ)
def notification_read_all(request):
    services.notifications_mark_all_read(plan_ids=staff_plan_ids(request), recipient=request.user)
    return redirect("notification-list")
