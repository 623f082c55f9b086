from django.core.management.base import BaseCommand, CommandError

from ecm_platform.tenancy.access import OPERATOR
from providers.models import ProviderApiKey
from providers.staff import provider_api_key_revoke


class Command(BaseCommand):
    help = "Revoke a provider API key by its prefix (the part before the dot)."

    def add_arguments(self, parser):
        parser.add_argument("--prefix", required=True)

    def handle(self, *args, prefix, **options):
        api_key = ProviderApiKey.objects.filter(prefix=prefix).select_related("organization").first()
        if api_key is None:
            raise CommandError(f"No provider key with prefix {prefix!r}.")
        provider_api_key_revoke(actor=OPERATOR, api_key=api_key)
        self.stdout.write(f"Revoked key {prefix}.")
