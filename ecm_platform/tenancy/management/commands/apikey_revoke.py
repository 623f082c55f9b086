from django.core.management.base import CommandError

from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import PlanApiKey
from ecm_platform.tenancy.scoping import PlanCommand
from ecm_platform.tenancy.services import api_key_revoke


class Command(PlanCommand):
    help = "Revoke an API key of --plan by its prefix (the part before the dot)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--prefix", required=True)

    def handle_plan(self, plan, *args, prefix, **options):
        api_key = PlanApiKey.objects.filter(plan=plan, prefix=prefix).first()
        if api_key is None:
            raise CommandError(f"{plan.code} has no key with prefix {prefix!r}.")
        api_key_revoke(plan=plan, api_key=api_key, actor=OPERATOR)
        self.stdout.write(f"Revoked key {prefix}.")
