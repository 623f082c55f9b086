from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from ecm_platform import clocks
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Membership
from ecm_platform.tenancy.scoping import PlanCommand
from ecm_platform.tenancy.services import api_key_issue


class Command(PlanCommand):
    help = "Issue an API key for a user's membership in --plan; the key alone is printed, once."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", required=True, help="What the key is for, e.g. 'claims feed'.")
        parser.add_argument("--expires-days", type=int, default=365)

    def handle_plan(self, plan, *args, username, name, expires_days, **options):
        user = get_user_model().objects.filter(username=username).first()
        membership = Membership.objects.filter(plan=plan, user=user).first() if user else None
        if membership is None:
            raise CommandError(f"{username!r} does not work for {plan.code}.")
        try:
            api_key, raw_key = api_key_issue(
                plan=plan,
                membership=membership,
                name=name,
                expires_at=clocks.now() + timedelta(days=expires_days),
                actor=OPERATOR,
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        expires = f"{api_key.expiry_date:%Y-%m-%d}"
        self.stderr.write(f"Key {api_key.prefix} for {username} ({membership.role}) expires {expires}.")
        self.stdout.write(raw_key)
