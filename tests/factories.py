"""Thin factories; plan-owned rows default to a fresh plan and are written inside their own plan's
scope (so a test in plan A's scope can make plan B's rows, and row-level security admits them)."""

import datetime

import factory
from django.contrib.auth import get_user_model

from ecm_platform.tenancy.models import County, HealthPlan, Membership, Role
from ecm_platform.tenancy.scoping import plan_scope
from eligibility.models import EventType, UtilizationEvent
from members.models import EnrollmentSpan, Member

TEST_PASSWORD = "correct horse battery staple"
# The contact a plan's letters print (DOMAIN 5.3): plan_create requires one.
PLAN_CONTACT = {
    "member_services_phone": "1-800-555-0100",
    "appeals_address": "Appeals Unit\nPO Box 100\nSacramento, CA 95814",
}


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthPlan
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.Sequence(lambda n: f"Plan {n} Health")
    member_services_phone = PLAN_CONTACT["member_services_phone"]
    appeals_address = PLAN_CONTACT["appeals_address"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(user, create, extracted, **kwargs):
        if create:
            user.save()


class PlanOwnedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with plan_scope(kwargs["plan"]):
            return super()._create(model_class, *args, **kwargs)


class MembershipFactory(PlanOwnedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    plan = factory.SubFactory(PlanFactory)
    role = Role.CARE_COORDINATOR


class MemberFactory(PlanOwnedFactory):
    class Meta:
        model = Member

    plan = factory.SubFactory(PlanFactory)
    cin = factory.Sequence(lambda n: f"{90000000 + n:08d}A")
    first_name = factory.Sequence(lambda n: f"Member{n}")
    last_name = "Example"
    birth_date = datetime.date(1970, 5, 17)
    county = factory.LazyFunction(lambda: County.objects.get(code="01"))


class EnrollmentSpanFactory(PlanOwnedFactory):
    class Meta:
        model = EnrollmentSpan

    member = factory.SubFactory(MemberFactory)
    plan = factory.SelfAttribute("member.plan")
    start_date = datetime.date(2020, 1, 1)


def activated(contract):
    """An ECM contract takes members only once the plan activates it, its vetting complete (DOMAIN 7):
    the fixtures' contracts are active from their start date, as contracts made before that rule."""
    type(contract).objects.filter(pk=contract.pk).update(activated_on=contract.start_date)
    contract.activated_on = contract.start_date
    return contract


def enrolled_member(plan, **kwargs) -> Member:
    """A member enrolled in the plan since 2020, with no end."""
    member = MemberFactory(plan=plan, **kwargs)
    EnrollmentSpanFactory(member=member)
    return member


class EventFactory(PlanOwnedFactory):
    class Meta:
        model = UtilizationEvent

    member = factory.SubFactory(MemberFactory)
    plan = factory.SelfAttribute("member.plan")
    claim_id = factory.Sequence(lambda n: f"CLM{n:07d}")
    event_type = EventType.ED
    service_date = datetime.date(2026, 9, 1)
    is_planned = False
    is_avoidable = True
    adjudicated_on = factory.LazyAttribute(lambda event: event.service_date + datetime.timedelta(days=20))
