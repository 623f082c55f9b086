import secrets

from django.core.management.base import BaseCommand, CommandError

from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import ProviderRole
from providers.models import ProviderOrganization
from providers.staff import provider_user_create


class Command(BaseCommand):
    help = (
        "Create a login for the staff of the provider organization with --npi (the installation "
        "operator; plan staff cannot). Without --password a strong one is generated and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--npi", required=True)
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=ProviderRole.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--password", default=None)

    def handle(self, *args, npi, username, role, email, full_name, password, **options):
        organization = ProviderOrganization.objects.filter(npi=npi).first()
        if organization is None:
            raise CommandError(f"No provider organization with NPI {npi}.")
        generated = password is None
        password = password or secrets.token_urlsafe(16)
        try:
            provider_user_create(
                actor=OPERATOR, organization=organization, username=username, email=email,
                password=password, role=role, full_name=full_name,
            )  # fmt: skip
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{username} now works for {organization.name} as {role}.")
        if generated:
            self.stdout.write(f"Password (shown once): {password}")
