"""Read queries for tenancy. Each filters by plan explicitly, on top of the active scope."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from ecm_platform import clocks
from ecm_platform.tenancy.access import Capability, Principal
from ecm_platform.tenancy.models import County, HealthPlan, Membership, PlanApiKey
from ecm_platform.tenancy.scoping import across_plans


def memberships_of_user(*, user: AbstractBaseUser) -> list[Membership]:
    """The user's own active memberships in every active plan (for choosing and switching plans)."""
    if not user.is_authenticated:
        return []
    with across_plans(reason="a user's own memberships, to choose the plan", exempt_tables_only=True):
        return list(
            Membership.objects.filter(user=user, is_active=True, plan__is_active=True)
            .select_related("plan")
            .order_by("plan__name")
        )


def membership_list(*, plan: HealthPlan) -> QuerySet[Membership]:
    return Membership.objects.filter(plan=plan).select_related("user", "plan")


def membership_get(*, plan: HealthPlan, pk) -> Membership:
    """The plan's membership, or 404 for a missing one and another plan's alike."""
    membership = membership_list(plan=plan).filter(pk=pk).first()
    if membership is None:
        raise Http404("No such membership.")
    return membership


def api_key_list(*, plan: HealthPlan) -> QuerySet[PlanApiKey]:
    return PlanApiKey.objects.filter(plan=plan).select_related("membership__user", "plan")


def api_key_get(*, plan: HealthPlan, pk) -> PlanApiKey:
    api_key = api_key_list(plan=plan).filter(pk=pk).first()
    if api_key is None:
        raise Http404("No such API key.")
    return api_key


def county_list() -> QuerySet[County]:
    return County.objects.all()


def dashboard_figures(*, membership: Membership) -> dict:
    """Real figures for the signed-in user's dashboard; what later capabilities bring is absent,
    never invented."""
    plan = membership.plan
    figures = {}
    if Principal.of_membership(membership).may(Capability.DASHBOARD_ADMINISTRATION):
        figures["active_memberships"] = membership_list(plan=plan).filter(is_active=True).count()
        figures["active_api_keys"] = api_key_list(plan=plan).filter(revoked=False, expiry_date__gt=clocks.now()).count()
    return figures
