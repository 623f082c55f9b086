from datetime import date

from django.core.management.base import CommandError

from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.scoping import PlanCommand
from eligibility.scan import high_utilizer_scan


def month(value: str) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError:
        raise CommandError(f"{value!r} is not a month (YYYY-MM).") from None


def day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(PlanCommand):
    help = "Run the high-utilizer scan (DOMAIN 3.3) for --plan now, in this process."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--data-month", type=month, help="YYYY-MM; default: the latest service month")
        parser.add_argument("--run-date", type=day, help="YYYY-MM-DD, the enrollment check's day; default: today")

    def handle_plan(self, plan, *args, data_month, run_date, **options):
        # A month or day that cannot be scanned, or a run in progress, is refused before a run is
        # recorded (the service's checks, the same as the API's).
        try:
            run = high_utilizer_scan(plan=plan, data_month=data_month, run_date=run_date, actor=OPERATOR)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Scan {run.pk}: data month {run.data_month:%Y-%m}, window {run.window_start} to "
            f"{run.window_end}, {run.events_in_window} events, {run.qualified} qualify "
            f"({run.opened} new, {run.updated} updated, {run.closed} closed) in {run.duration_ms} ms."
        )
