"""The "Deadlines" page (ARCHITECTURE, Deadlines): the running clocks the user's role owns, the
soonest due first, with how long is left; each row links to the page where it is met."""

from django.shortcuts import render

from ecm_platform import clocks
from ecm_platform.audit.services import phi_read_record
from ecm_platform.deadlines import selectors
from ecm_platform.deadlines.forms import DeadlineFilterForm
from ecm_platform.pagination import keyset_page_by_instant
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page


@plan_page(Capability.DEADLINES_READ)
def deadline_list(request):
    now = clocks.now()
    form = DeadlineFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.deadlines_owned_by(plan=request.plan, principal=request.principal)
    if filters.get("kind"):
        rows = rows.filter(kind=filters["kind"])
    if filters.get("state"):
        rows = selectors.deadlines_in_state(rows, state=filters["state"], now=now)
    page = keyset_page_by_instant(rows, request.GET, "due_at")
    page.rows = selectors.with_live_states(page.rows, now)
    phi_read_record(
        membership=request.membership, path=request.get_full_path(), members=[r.member for r in page.rows if r.member]
    )
    return render(request, "deadlines/list.html", {"form": form, "page": page, "now": now})


def member_deadlines_context(*, plan, member) -> dict:
    """The member page's "Deadlines" section (deadlines/_member_deadlines.html): every running clock
    of the member, whoever owns it; the member page records the PHI read itself."""
    now = clocks.now()
    rows = selectors.deadlines_of_member(plan=plan, member=member).order_by("due_at", "id")
    return {"member_deadlines": selectors.with_live_states(rows, now), "member_deadlines_now": now}
