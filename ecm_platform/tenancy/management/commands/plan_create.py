from django.core.management.base import BaseCommand, CommandError

from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.services import plan_create


class Command(BaseCommand):
    help = (
        "Create a plan (MCP tenant) serving the given counties, with the contact its letters print; "
        "copies its holiday calendars."
    )

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="Short stable code, e.g. 'bayview'.")
        parser.add_argument("--name", required=True)
        parser.add_argument("--counties", default="", help="Comma-separated county codes (01-58), e.g. '01,07'.")
        parser.add_argument("--phone", required=True, help="The member services phone the letters print.")
        parser.add_argument(
            "--appeals-address", required=True, help=r"The mailing address for appeals (lines separated by '\n')."
        )

    def handle(self, *args, code, name, counties, phone, appeals_address, **options):
        county_codes = [c.strip().zfill(2) for c in counties.split(",") if c.strip()]
        try:
            plan = plan_create(
                code=code,
                name=name,
                county_codes=county_codes,
                member_services_phone=phone,
                appeals_address=appeals_address.replace("\\n", "\n"),
                actor=OPERATOR,
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Created plan {plan.code} ({plan.name}).")
