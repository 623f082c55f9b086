import csv
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from authorizations.services import transition_import
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.scoping import PlanCommand


class Command(PlanCommand):
    help = (
        "Import a Member Transition List (DOMAIN 3.5): a CSV with the columns cin, program (hhp or wpc), "
        "transition_date and optionally provider_npi (the member's WPC/HHP provider, assigned at the transition). "
        "Every row is validated; any bad row imports nothing; rows imported before change nothing."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("path", type=Path)
        parser.add_argument("--username", required=True, help="The care coordinator who imports the list.")

    def handle_plan(self, plan, *args, path, username, **options):
        actor = get_user_model().objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"No user {username!r}.")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        try:
            report = transition_import(plan=plan, actor=actor, rows=rows)
        except DomainError as error:
            raise CommandError(error.message) from error
        if report["errors"]:
            for error in report["errors"][:50]:
                self.stderr.write(f"row {error['row']}, {error['field']}: {error['message']}")
            raise CommandError(f"{len(report['errors'])} errors; nothing was imported.")
        self.stdout.write(f"{report['created']} members authorized, {report['unchanged']} already imported.")
