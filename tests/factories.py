"""Thin factories; plan-owned rows default to a fresh plan. Use them with scopes disabled
(fixtures) or inside the plan's scope."""

import factory
from django.contrib.auth import get_user_model

from ecm_platform.tenancy.models import HealthPlan, Membership, Role

TEST_PASSWORD = "correct horse battery staple"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthPlan
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.Sequence(lambda n: f"Plan {n} Health")


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


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    plan = factory.SubFactory(PlanFactory)
    role = Role.CARE_COORDINATOR
