import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction

from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import PlanCommand
from ecm_platform.tenancy.services import membership_create, user_create


class Command(PlanCommand):
    help = (
        "Create a user working for --plan in --role (or give an existing user that membership). "
        "Without --password a strong one is generated and printed once."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--password", default=None)

    def handle_plan(self, plan, *args, username, role, email, full_name, password, **options):
        generated = password is None
        password = password or secrets.token_urlsafe(16)
        try:
            with transaction.atomic():
                user = get_user_model().objects.filter(username=username).first()
                created = user is None
                if created:
                    user = user_create(username=username, email=email, password=password, full_name=full_name)
                membership_create(user=user, plan=plan, role=role, actor=OPERATOR)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{username} now works for {plan.code} as {role}.")
        if created and generated:
            self.stdout.write(f"Password (shown once): {password}")
