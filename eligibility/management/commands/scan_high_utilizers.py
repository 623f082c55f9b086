from datetime import date

from django.core.management.base import CommandError

from ecm_platform import clocks
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.scoping import PlanCommand
from eligibility.scan import high_utilizer_scan
from eligibility.selectors import scan_criteria_for


def month(value: str) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError:
        raise CommandError(f"{value!r} is not a month (YYYY-MM).") from None


class Command(PlanCommand):
    help = "Run the high-utilizer scan (DOMAIN 3.3) for --plan now."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--data-month", type=month, help="YYYY-MM; default: the latest service month")

    def handle_plan(self, plan, *args, data_month, **options):
        # The same checks as the API's, before a run is recorded: a month that cannot be scanned
        # is an operator's typo, not a failed run.
        if data_month is not None:
            if data_month > clocks.local_date(clocks.now()):
                raise CommandError("The data month is in the future.")
            try:
                scan_criteria_for(data_month)
            except LookupError as error:
                raise CommandError(str(error)) from None
        try:
            run = high_utilizer_scan(plan=plan, data_month=data_month, actor=OPERATOR)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Scan {run.pk}: data month {run.data_month:%Y-%m}, window {run.window_start} to "
            f"{run.window_end}, {run.events_in_window} events, {run.qualified} qualify "
            f"({run.opened} new, {run.updated} updated, {run.closed} closed) in {run.duration_ms} ms."
        )
