from authorizations.services import clock_check
from ecm_platform.tenancy.scoping import PlanCommand


class Command(PlanCommand):
    help = "Flag at-risk and overdue authorization decisions and notify the reviewers (DOMAIN 5.1)."

    def handle_plan(self, plan, *args, **options):
        run = clock_check(plan=plan)
        self.stdout.write(
            f"{run.at_risk_flagged} at risk, {run.overdue_flagged} overdue, {run.notifications_sent} notifications."
        )
