from django.core.management.base import BaseCommand, CommandError

from ecm_platform.deadlines.selectors import deadline_list
from ecm_platform.deadlines.services import deadline_monitor
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import plan_scope


class Command(BaseCommand):
    help = (
        "Run the deadline monitor once for every active plan (or --plan CODE), as the 15-minute job does: "
        "owners are told once at risk and once overdue, so a rerun tells no one twice (ARCHITECTURE, Deadlines)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="One plan's code (default: every active plan).")

    def handle(self, *args, **options):
        plans = HealthPlan.objects.filter(is_active=True).order_by("code")
        if options["plan"]:
            plans = plans.filter(code=options["plan"])
            if not plans.exists():
                raise CommandError(f"No active plan with code {options['plan']!r}.")
        for plan in plans:
            with plan_scope(plan):
                counts = deadline_monitor(plan=plan)
                running = deadline_list(plan=plan).count()
            self.stdout.write(
                f"{plan.code}: {counts['at_risk']} newly at risk, {counts['overdue']} newly overdue, "
                f"{counts['notifications']} notifications sent; {running} clocks running."
            )
