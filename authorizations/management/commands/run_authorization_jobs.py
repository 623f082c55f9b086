from authorizations.tasks import authorization_jobs_task
from ecm_platform.tenancy.scoping import PlanCommand


class Command(PlanCommand):
    help = (
        "Run a plan's daily authorization jobs by hand (DOMAIN 5.2): decided discontinuations whose effective date "
        "has come take effect, and members who left the plan end their requests. Safe to rerun."
    )

    def handle_plan(self, plan, *args, **options):
        done = authorization_jobs_task(plan_id=plan.pk)
        self.stdout.write(f"{len(done['discontinued'])} discontinued, {len(done['ended'])} ended (left the plan).")
