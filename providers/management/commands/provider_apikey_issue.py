from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from ecm_platform import clocks
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import OPERATOR
from providers.models import ProviderMembership
from providers.staff import provider_api_key_issue


class Command(BaseCommand):
    help = "Issue an API key acting as a provider staff login; the key alone is printed, once."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", required=True, help="What the key is for, e.g. 'EHR feed'.")
        parser.add_argument("--expires-days", type=int, default=365)

    def handle(self, *args, username, name, expires_days, **options):
        provider_membership = (
            ProviderMembership.objects.filter(user__username=username).select_related("organization").first()
        )
        if provider_membership is None:
            raise CommandError(f"{username!r} works for no provider organization.")
        try:
            api_key, raw_key = provider_api_key_issue(
                actor=OPERATOR,
                provider_membership=provider_membership,
                name=name,
                expires_at=clocks.now() + timedelta(days=expires_days),
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stderr.write(f"Key {api_key.prefix} for {username} at {provider_membership.organization.name}.")
        self.stdout.write(raw_key)
