import csv
from pathlib import Path

from django.core.management.base import CommandError

from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.scoping import PlanCommand
from eligibility.intake import COLUMNS, claims_load


class Command(PlanCommand):
    help = (
        "Load adjudicated claims (ED visits, inpatient and short-term SNF stays) from a CSV with "
        f"the columns {', '.join(COLUMNS)}. Every row is validated; any bad row loads nothing."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("path", type=Path)

    def handle_plan(self, plan, *args, path, **options):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            report = claims_load(plan=plan, rows=csv.DictReader(handle), actor=OPERATOR, source=path.name)
        if report.errors:
            for error in report.errors[:50]:
                self.stderr.write(f"row {error.row}, {error.field}: {error.message}")
            count = len(report.errors)
            raise CommandError(f"{count} row{'s have' if count > 1 else ' has'} errors; nothing was loaded.")
        self.stdout.write(
            f"{report.rows} rows: {report.inserted} new, {report.replaced} replaced, {report.unchanged} unchanged."
        )
