from pathlib import Path

from django.core.management.base import CommandError

from ecm_platform.csv_reader import csv_rows
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.scoping import PlanCommand
from eligibility.intake import COLUMNS, ERRORS_LISTED, REQUIRED, claims_load


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class Command(PlanCommand):
    help = (
        "Load adjudicated claims (ED visits, inpatient and short-term SNF stays) from a UTF-8 CSV "
        f"with the columns {', '.join(COLUMNS)}, of any size. Every row is validated and every error "
        f"counted (the first {ERRORS_LISTED:,} listed); any bad row loads nothing."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("path", type=Path)

    def handle_plan(self, plan, *args, path, **options):
        try:
            with path.open("rb") as handle:
                rows = csv_rows(handle, required=REQUIRED)
                report = claims_load(plan=plan, rows=rows, actor=OPERATOR, source=path.name)
        except DomainError as error:
            raise CommandError(f"{path.name}: {error.message} Nothing was loaded.") from None
        if report.error_count:
            for error in report.errors:
                self.stderr.write(f"line {error.line}, {error.field or 'the row'}: {error.message}")
            if report.errors_not_listed:
                self.stderr.write(f"... and {_plural(report.errors_not_listed, 'more error')} not listed.")
            raise CommandError(
                f"{_plural(report.error_count, 'error')} in {_plural(report.rows_with_errors, 'row')} "
                f"of {report.rows:,}; nothing was loaded."
            )
        self.stdout.write(
            f"{report.rows} rows: {report.inserted} new, {report.replaced} replaced, {report.unchanged} unchanged."
        )
