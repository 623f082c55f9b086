"""Load the synthetic demo installation of `make demo`. Safe to run again: what exists stays."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from authorizations.services.letter_contact import letter_contact_set
from demo.community_supports import load_community_supports, load_community_supports_services
from demo.outreach import load_outreach
from demo.referrals import load_referrals
from demo.states import load_states
from demo.synthetic import DEMO_PROVIDERS, load_members, load_providers, load_requests
from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import HealthPlan, Membership, ProviderRole, Role
from ecm_platform.tenancy.scoping import across_plans, plan_scope
from ecm_platform.tenancy.services import api_key_issue, membership_create, plan_create, user_create
from eligibility.scan import high_utilizer_scan
from providers.models import ProviderOrganization
from providers.staff import provider_user_create

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - synthetic data on a local demo only
PLANS = [
    ("golden-state", "Golden State Health Plan (demo)", ["01", "07", "34", "10"]),
    ("sierra-valley", "Sierra Valley Health (demo)", ["34", "57", "58"]),
]
# The contact each plan's letters print (DOMAIN 5.3): 555-01xx numbers are reserved for fiction.
CONTACTS = {
    "golden-state": {
        "member_services_phone": "1-888-555-0142",
        "appeals_address": "Golden State Health Plan\nAttn: Appeals and Grievances\nPO Box 24680\nOakland, CA 94623",
    },
    "sierra-valley": {
        "member_services_phone": "1-877-555-0168",
        "appeals_address": "Sierra Valley Health\nAppeals Unit\n1500 Capitol Ave\nSacramento, CA 95814",
    },
}
USERS = [
    ("coordinator", "Casey Coordinator", Role.CARE_COORDINATOR),
    ("reviewer", "Riley Reviewer", Role.REVIEWER),
    ("analyst", "Avery Analyst", Role.REPORTING_ANALYST),
    ("admin", "Adrian Administrator", Role.PLAN_ADMINISTRATOR),
    ("integrator", "Integration Service", Role.INTEGRATOR),
]
# One provider administrator per demo provider organization (its own login, made by the operator).
PROVIDER_USERS = {npi: f"provider-{name.split()[0].lower()}" for npi, name, *_ in DEMO_PROVIDERS}


class Command(BaseCommand):
    help = "Create the demo plans and one user per role, and print their logins."

    @transaction.atomic
    def handle(self, *args, **options):
        with across_plans(reason="the demo installation: its plans, users and memberships"):
            plans = [self.plan(code, name, counties) for code, name, counties in PLANS]
            users = {username: self.user(username, full_name) for username, full_name, _ in USERS}
            for username, _, role in USERS:
                self.membership(users[username], plans[0], role)
            # The coordinator also works for the second plan, to show the plan switcher.
            self.membership(users["coordinator"], plans[1], Role.CARE_COORDINATOR)
        raw_key = self.integrator_key(plans[0], users["integrator"])
        self.load_population(plans[0], users["coordinator"], users["reviewer"], users["admin"])
        self.provider_users()
        self.load_states(plans[0], users["coordinator"], users["reviewer"])
        load_outreach(plans[0], coordinator=users["coordinator"], reviewer=users["reviewer"], stdout=self.stdout)
        load_community_supports(plans[0], administrator=users["admin"], stdout=self.stdout)
        load_community_supports_services(
            plans[0], administrator=users["admin"], coordinator=users["coordinator"], reviewer=users["reviewer"],
            stdout=self.stdout,
        )  # fmt: skip
        load_referrals(
            plans[0], administrator=users["admin"], coordinator=users["coordinator"], reviewer=users["reviewer"],
            stdout=self.stdout,
        )  # fmt: skip
        # The 15-minute monitor, once now: the reviewer's bell shows the decisions due soon.
        call_command("deadlines_check", stdout=self.stdout)
        self.print_logins(plans[0], raw_key)

    def load_population(self, plan, coordinator, reviewer, administrator):
        with plan_scope(plan):
            today = clocks.local_date(clocks.now())
            loaded = load_members(plan, coordinator, today)
            if loaded:
                run = high_utilizer_scan(plan=plan, actor=OPERATOR)
                self.stdout.write(
                    f"Loaded {loaded} synthetic members with claims; the scan flagged {run.qualified} "
                    f"high utilizers (data month {run.data_month:%Y-%m})."
                )
            # Contracts and their vetting are the plan administrator's (a vetting check names its reviewer).
            assigned = load_providers(plan, administrator, today)
            if assigned:
                self.stdout.write(f"Contracted {len(DEMO_PROVIDERS)} ECM Providers; {assigned} members assigned.")
            requests = load_requests(plan, coordinator, reviewer, today)
            if requests:
                self.stdout.write(f"Received {requests} authorization requests, some decided with their notices.")

    def load_states(self, plan, coordinator, reviewer):
        with plan_scope(plan):
            if load_states(plan, coordinator=coordinator, reviewer=reviewer):
                self.stdout.write(
                    "Added presumptive starts, a withdrawal, discontinuations, appeals, grievances and a member "
                    "awaiting an ECM Provider."
                )

    def plan(self, code, name, counties):
        plan = HealthPlan.objects.filter(code=code).first()
        if plan is None:
            return plan_create(code=code, name=name, county_codes=counties, actor=OPERATOR, **CONTACTS[code])
        if not plan.has_letter_contact:  # a demo database from before the contact was required
            with plan_scope(plan):
                letter_contact_set(plan=plan, actor=OPERATOR, **CONTACTS[code])
        return plan

    def user(self, username, full_name):
        existing = get_user_model().objects.filter(username=username).first()
        return existing or user_create(
            username=username,
            email=f"{username}@demo.invalid",
            password=DEMO_PASSWORD,
            full_name=full_name,
        )

    def membership(self, user, plan, role):
        if not Membership.objects.filter(user=user, plan=plan).exists():
            membership_create(user=user, plan=plan, role=role, actor=OPERATOR)

    def integrator_key(self, plan, user):
        with plan_scope(plan):
            membership = Membership.objects.get(plan=plan, user=user)
            if membership.api_keys.filter(revoked=False).exists():
                return None
            return api_key_issue(plan=plan, membership=membership, name="demo integration", actor=OPERATOR)[1]

    def provider_users(self):
        for npi, username in PROVIDER_USERS.items():
            organization = ProviderOrganization.objects.filter(npi=npi).first()
            if organization is None or get_user_model().objects.filter(username=username).exists():
                continue
            provider_user_create(
                actor=OPERATOR, organization=organization, username=username, email=f"{username}@demo.invalid",
                password=DEMO_PASSWORD, role=ProviderRole.PROVIDER_ADMINISTRATOR, full_name=organization.name,
            )  # fmt: skip

    def print_logins(self, plan, raw_key):
        self.stdout.write("\nECM Platform demo: http://127.0.0.1:8000/\n")
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}\n")
        for username, full_name, role in USERS:
            self.stdout.write(f"  {username:<12} {role.label}  ({full_name})")
        self.stdout.write("  coordinator also works for a second plan: use the plan switcher.")
        for npi, username in PROVIDER_USERS.items():
            organization = ProviderOrganization.objects.filter(npi=npi).first()
            if organization is not None:
                self.stdout.write(
                    f"  {username:<18} {ProviderRole.PROVIDER_ADMINISTRATOR.label} at {organization.name}"
                )
        self.stdout.write(
            "  provider logins work their outreach at http://127.0.0.1:8000/provider/outreach/ and see their "
            "members at /api/v1/provider/members/"
        )
        if raw_key:
            self.stdout.write(f"\nIntegrator API key for {plan.code} (shown once): {raw_key}")
            self.stdout.write('  curl -H "Authorization: Api-Key <key>" http://127.0.0.1:8000/api/v1/me/')
        self.stdout.write("API docs: http://127.0.0.1:8000/api/v1/docs/\n")
