"""Who may do what: the one table from capability to roles, and the one check every service makes.

A `Principal` is whoever acts: a plan membership (plan staff and integrators), a provider
membership (provider staff, in every plan that contracts with their organization), a system job
(which holds only the capabilities named for it), or the installation operator (management
commands). `require(principal, capability, plan=..., organization=...)` refuses with
ActionNotPermitted (HTTP 403) before a service writes or reads PHI; page buttons, DRF permissions
and django-fsm transition permissions read the same table through `may`.

Roles are named here, where they are defined (`models.py`), in migrations, tests and demo data, and
nowhere else (tests/architecture/test_access.py).
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.db import models

from ecm_platform.errors import ActionNotPermitted
from ecm_platform.tenancy.models import HealthPlan, Membership, ProviderRole, Role


class Capability(StrEnum):
    # The shell: who may work where.
    PLAN_PAGES = "pages.plan"  # the plan staff's browser pages (integrators use the API)
    PROFILE_READ = "tenancy.profile.read"
    REFERENCE_READ = "tenancy.reference.read"  # counties, POFs, programs, calendars
    NOTIFICATIONS_READ = "notifications.read"
    DEADLINES_READ = "deadlines.read"  # the clocks one's role owns (ARCHITECTURE, Deadlines)
    PLANS_CREATE = "tenancy.plans.create"  # the installation operator only
    MEMBERSHIPS_MANAGE = "tenancy.memberships.manage"
    API_KEYS_MANAGE = "tenancy.api_keys.manage"
    PLAN_SETTINGS_MANAGE = "tenancy.settings.manage"
    PROVIDER_STAFF_MANAGE = "tenancy.provider_staff.manage"
    SERVICE_ACCOUNT = "tenancy.service_account"  # acts through keys its administrator issues for it
    AUDIT_READ = "audit.read"
    DASHBOARD_ADMINISTRATION = "tenancy.dashboard.administration"
    # Members (DOMAIN 2).
    MEMBERS_READ = "members.read"
    MEMBERS_WRITE = "members.write"
    MEMBER_WORKLISTS = "members.worklists"  # the high-utilizer and assignment worklists
    # Eligibility (DOMAIN 3).
    ELIGIBILITY_READ = "eligibility.read"
    DETERMINATIONS_RECORD = "eligibility.determinations.record"
    # A discretionary high utilizer: coordinators, or a reviewer approving on a justification (5.2).
    DISCRETIONARY_DETERMINATIONS = "eligibility.discretionary_determinations.record"
    UTILIZATION_FEED = "eligibility.utilization.feed"
    SCAN_RUN = "eligibility.scan.run"
    POF_STARTS_MANAGE = "eligibility.pof_starts.manage"
    # Providers (DOMAIN 7).
    PROVIDERS_READ = "providers.read"
    PROVIDERS_MANAGE = "providers.manage"  # organizations, contracts, vetting, assignment order
    CONTRACTS_END = "providers.contracts.end"  # ends a contract, moving its members (DOMAIN 7)
    CARE_MANAGERS_ADD = "providers.care_managers.add"
    ASSIGNMENTS_CREATE = "providers.assignments.create"  # by hand, or on approval (DOMAIN 7)
    ASSIGNMENTS_MANAGE = "providers.assignments.manage"  # assign by hand, communicated, PCP notice, LCM
    ASSIGNMENT_OVERRIDE = "providers.override_assignment"
    ASSIGNMENTS_END = "providers.assignments.end"  # ECM ended, left the plan, contract ended (DOMAIN 7)
    PROVIDER_CHANGES_MANAGE = "providers.changes.manage"
    ASSIGNED_MEMBERS_READ = "providers.assigned_members.read"  # provider staff: their own members
    # Authorizations (DOMAIN 5, 6).
    AUTHORIZATIONS_READ = "authorizations.read"
    AUTHORIZATIONS_SUBMIT = "authorizations.submit"
    PRESUMPTIVE_START = "authorizations.presumptive.start"  # where the provider's contract allows
    AUTHORIZATIONS_REVIEW = "authorizations.review"  # start and resume review
    AUTHORIZATIONS_EXTEND = "authorizations.extend"
    AUTHORIZATIONS_APPROVE = "authorizations.approve"
    AUTHORIZATIONS_DENY = "authorizations.deny"
    AUTHORIZATIONS_OVERTURN = "authorizations.overturn"
    AUTHORIZATIONS_WITHDRAW = "authorizations.withdraw"
    AUTHORIZATIONS_START_SERVICES = "authorizations.start_services"
    DISCONTINUATIONS_PROPOSE = "authorizations.discontinuations.propose"
    AUTHORIZATIONS_DISCONTINUE = "authorizations.discontinue"
    TRANSITIONS_IMPORT = "authorizations.transitions.import"
    REASSESSMENTS_RECORD = "authorizations.reassessments.record"
    ATTACHMENTS_ADD = "authorizations.attachments.add"
    NOTICES_ISSUE = "authorizations.notices.issue"
    APPEALS_RECORD = "authorizations.appeals.record"  # appeals and grievances filed
    APPEALS_ACKNOWLEDGE = "authorizations.appeals.acknowledge"
    APPEALS_RESOLVE = "authorizations.appeals.resolve"
    GRIEVANCES_RESOLVE = "authorizations.grievances.resolve"
    NOTICES_RELEASE = "authorizations.notices.release"  # letters held for the plan's contact (a job)
    PRESUMPTIVE_WITHDRAW = "authorizations.presumptive.withdraw"  # at the member's request (DOMAIN 5.2)
    # Jobs only (DOMAIN 5.2): a decided discontinuation on its effective date; a member who left the plan.
    DISCONTINUATIONS_TAKE_EFFECT = "authorizations.discontinuations.take_effect"
    AUTHORIZATIONS_END = "authorizations.end"
    # Outreach (DOMAIN 8).
    OUTREACH_READ = "outreach.read"  # engagements and attempts (provider staff: their organization's)
    OUTREACH_RECORD = "outreach.attempts.record"  # the plan's own outreach (identified members)
    OUTREACH_CLOSE = "outreach.engagements.close"  # enrolled, declined, unable to reach
    # The ECM Provider's outreach to the members assigned to it (DOMAIN 8).
    PROVIDER_OUTREACH_RECORD = "outreach.provider_attempts.record"
    PROVIDER_OUTREACH_CLOSE = "outreach.provider_engagements.close"
    OTHER_PROGRAMS_REFER = "outreach.other_programs.refer"  # after a close-out (Policy Guide V.1.f)
    OUTREACH_TARGETS_SYNC = "outreach.targets.sync"  # the job that opens and ends engagements
    OUTREACH_MEASURES_READ = "outreach.measures.read"
    OUTREACH_MEASURES_BUILD = "outreach.measures.build"
    # The catalogue and the plan's Community Supports elections (DOMAIN 9).
    CATALOGUE_READ = "benefits.catalogue.read"
    ELECTIONS_READ = "benefits.elections.read"
    ELECTIONS_MANAGE = "benefits.elections.manage"  # the plan administrator (DOMAIN 1)
    SERVICE_CLOCKS_MANAGE = "benefits.service_clocks.manage"  # a shorter expedited clock (DOMAIN 5.1)
    # Community Supports (DOMAIN 9): the provider's own authorizations, and what was delivered.
    PROVIDER_REQUESTS_READ = "authorizations.provider_requests.read"
    DELIVERIES_READ = "community_supports.deliveries.read"
    DELIVERIES_RECORD = "community_supports.deliveries.record"  # the plan's coordinators, integrators
    PROVIDER_DELIVERIES_RECORD = "community_supports.provider_deliveries.record"
    # Closed-loop referrals (DOMAIN 9): intake, the plan's follow-up, the provider's answers.
    REFERRALS_READ = "community_supports.referrals.read"  # provider staff: those sent to their organization
    REFERRALS_RECORD = "community_supports.referrals.record"  # intake: coordinators, integrators
    REFERRALS_MANAGE = "community_supports.referrals.manage"  # the plan records answers and closes loops
    PROVIDER_REFERRALS_RESPOND = "community_supports.provider_referrals.respond"  # accept, decline, start, close
    PROVIDER_REFERRALS_SEND = "community_supports.provider_referrals.send"  # their assigned members, elsewhere
    # Exchanged files' column maps (DOMAIN 11) and encounters from invoices and outreach.
    COLUMN_MAPS_READ = "exchange.column_maps.read"
    COLUMN_MAPS_MANAGE = "exchange.column_maps.manage"  # the plan's overlay on a baseline
    ENCOUNTERS_READ = "encounters.encounters.read"
    INVOICES_UPLOAD = "encounters.invoices.upload"  # provider invoices become encounters
    PROVIDER_INVOICES_UPLOAD = "encounters.provider_invoices.upload"  # the provider's own lines
    OUTREACH_ENCOUNTERS_RECORD = "encounters.outreach_encounters.record"  # a job: U8 per attempt
    # Reporting (DOMAIN 10).
    REPORTS_BUILD = "reporting.reports.build"

    @property
    def label(self) -> str:
        """What it lets one do, for messages: "authorizations.appeals.resolve" -> "resolve appeals"."""
        *_, thing, verb = self.value.split(".")
        return f"{verb.replace('_', ' ')} {thing.replace('_', ' ')}"


CC, RV, RA, PA, IN = (
    Role.CARE_COORDINATOR,
    Role.REVIEWER,
    Role.REPORTING_ANALYST,
    Role.PLAN_ADMINISTRATOR,
    Role.INTEGRATOR,
)
PLAN_STAFF = frozenset({CC, RV, RA, PA})
EVERY_PLAN_ROLE = frozenset(Role)
EVERY_PROVIDER_ROLE = frozenset(ProviderRole)

# The table (DOMAIN 1 roles; DOMAIN 5.2 for who decides). A capability missing here is held by no one.
ROLES_BY_CAPABILITY: dict[Capability, frozenset] = {
    Capability.PLAN_PAGES: PLAN_STAFF,
    Capability.PROFILE_READ: EVERY_PLAN_ROLE | EVERY_PROVIDER_ROLE,
    Capability.REFERENCE_READ: EVERY_PLAN_ROLE | EVERY_PROVIDER_ROLE,
    Capability.NOTIFICATIONS_READ: EVERY_PLAN_ROLE | EVERY_PROVIDER_ROLE,
    Capability.DEADLINES_READ: EVERY_PLAN_ROLE,
    Capability.PLANS_CREATE: frozenset(),
    Capability.MEMBERSHIPS_MANAGE: frozenset({PA}),
    Capability.API_KEYS_MANAGE: frozenset({PA}),
    Capability.PLAN_SETTINGS_MANAGE: frozenset({PA}),
    Capability.PROVIDER_STAFF_MANAGE: frozenset({ProviderRole.PROVIDER_ADMINISTRATOR}),
    Capability.SERVICE_ACCOUNT: frozenset({IN}),
    Capability.AUDIT_READ: frozenset({PA}),
    Capability.DASHBOARD_ADMINISTRATION: frozenset({PA}),
    Capability.MEMBERS_READ: EVERY_PLAN_ROLE,
    Capability.MEMBERS_WRITE: frozenset({CC, PA, IN}),
    Capability.MEMBER_WORKLISTS: frozenset({CC, RV, PA}),
    Capability.ELIGIBILITY_READ: EVERY_PLAN_ROLE,
    Capability.DETERMINATIONS_RECORD: frozenset({CC, PA}),
    Capability.DISCRETIONARY_DETERMINATIONS: frozenset({CC, RV, PA}),
    Capability.UTILIZATION_FEED: frozenset({CC, PA, IN}),
    Capability.SCAN_RUN: frozenset({CC, PA, IN}),
    Capability.POF_STARTS_MANAGE: frozenset({PA}),
    Capability.PROVIDERS_READ: EVERY_PLAN_ROLE,
    Capability.PROVIDERS_MANAGE: frozenset({PA}),
    Capability.CONTRACTS_END: frozenset({PA}),
    Capability.CARE_MANAGERS_ADD: frozenset({CC, PA}),
    Capability.ASSIGNMENTS_CREATE: frozenset({CC, RV, PA}),
    Capability.ASSIGNMENTS_MANAGE: frozenset({CC, PA}),
    Capability.ASSIGNMENT_OVERRIDE: frozenset({CC, PA}),
    Capability.ASSIGNMENTS_END: frozenset({CC, RV, PA}),
    Capability.PROVIDER_CHANGES_MANAGE: frozenset({CC, PA}),
    Capability.ASSIGNED_MEMBERS_READ: EVERY_PROVIDER_ROLE,
    Capability.AUTHORIZATIONS_READ: EVERY_PLAN_ROLE,
    Capability.AUTHORIZATIONS_SUBMIT: frozenset({CC, IN}),
    # DOMAIN 5.2: provider staff start presumptively, where their contract allows.
    Capability.PRESUMPTIVE_START: frozenset({ProviderRole.PROVIDER_ADMINISTRATOR, ProviderRole.CARE_MANAGER}),
    Capability.AUTHORIZATIONS_REVIEW: frozenset({CC, RV}),
    Capability.AUTHORIZATIONS_EXTEND: frozenset({RV}),
    Capability.AUTHORIZATIONS_APPROVE: frozenset({RV}),
    Capability.AUTHORIZATIONS_DENY: frozenset({RV}),
    Capability.AUTHORIZATIONS_OVERTURN: frozenset({RV}),
    Capability.AUTHORIZATIONS_WITHDRAW: frozenset({CC}),
    Capability.AUTHORIZATIONS_START_SERVICES: frozenset({CC}),
    Capability.DISCONTINUATIONS_PROPOSE: frozenset({CC, RV}),
    Capability.AUTHORIZATIONS_DISCONTINUE: frozenset({RV}),
    Capability.TRANSITIONS_IMPORT: frozenset({CC}),
    Capability.REASSESSMENTS_RECORD: frozenset({CC, RV}),
    Capability.ATTACHMENTS_ADD: frozenset({CC, RV, IN}),
    Capability.NOTICES_ISSUE: frozenset({RV}),
    Capability.APPEALS_RECORD: frozenset({CC, RV, IN}),
    Capability.APPEALS_ACKNOWLEDGE: frozenset({CC, RV}),
    Capability.APPEALS_RESOLVE: frozenset({RV}),
    Capability.GRIEVANCES_RESOLVE: frozenset({CC, RV}),
    Capability.NOTICES_RELEASE: frozenset(),
    # Provider staff stop their own presumptive services; coordinators withdraw with AUTHORIZATIONS_WITHDRAW.
    Capability.PRESUMPTIVE_WITHDRAW: frozenset({ProviderRole.PROVIDER_ADMINISTRATOR, ProviderRole.CARE_MANAGER}),
    Capability.DISCONTINUATIONS_TAKE_EFFECT: frozenset(),
    Capability.AUTHORIZATIONS_END: frozenset(),
    # DOMAIN 8: the ECM Provider reaches out to its assigned members, the plan's coordinators to the
    # members the plan identified; integrators load attempts made in other systems.
    Capability.OUTREACH_READ: EVERY_PLAN_ROLE | EVERY_PROVIDER_ROLE,
    Capability.OUTREACH_RECORD: frozenset({CC, IN}),
    Capability.OUTREACH_CLOSE: frozenset({CC}),
    Capability.PROVIDER_OUTREACH_RECORD: EVERY_PROVIDER_ROLE,
    Capability.PROVIDER_OUTREACH_CLOSE: EVERY_PROVIDER_ROLE,
    Capability.OTHER_PROGRAMS_REFER: frozenset({CC}),
    Capability.OUTREACH_TARGETS_SYNC: frozenset(),
    Capability.OUTREACH_MEASURES_READ: frozenset({CC, RV, RA, PA, IN}),
    Capability.OUTREACH_MEASURES_BUILD: frozenset({RA, PA, IN}),
    Capability.CATALOGUE_READ: EVERY_PLAN_ROLE | EVERY_PROVIDER_ROLE,
    Capability.ELECTIONS_READ: EVERY_PLAN_ROLE | EVERY_PROVIDER_ROLE,
    Capability.ELECTIONS_MANAGE: frozenset({PA}),
    Capability.SERVICE_CLOCKS_MANAGE: frozenset({PA}),
    Capability.PROVIDER_REQUESTS_READ: EVERY_PROVIDER_ROLE,
    Capability.DELIVERIES_READ: EVERY_PLAN_ROLE | EVERY_PROVIDER_ROLE,
    Capability.DELIVERIES_RECORD: frozenset({CC, IN}),
    Capability.PROVIDER_DELIVERIES_RECORD: frozenset({ProviderRole.PROVIDER_ADMINISTRATOR, ProviderRole.CARE_MANAGER}),
    Capability.REFERRALS_READ: EVERY_PLAN_ROLE | EVERY_PROVIDER_ROLE,
    Capability.REFERRALS_RECORD: frozenset({CC, IN}),
    Capability.REFERRALS_MANAGE: frozenset({CC}),
    Capability.PROVIDER_REFERRALS_RESPOND: frozenset({ProviderRole.PROVIDER_ADMINISTRATOR, ProviderRole.CARE_MANAGER}),
    Capability.PROVIDER_REFERRALS_SEND: frozenset({ProviderRole.PROVIDER_ADMINISTRATOR, ProviderRole.CARE_MANAGER}),
    Capability.COLUMN_MAPS_READ: EVERY_PLAN_ROLE | EVERY_PROVIDER_ROLE,
    Capability.COLUMN_MAPS_MANAGE: frozenset({PA}),
    Capability.ENCOUNTERS_READ: EVERY_PLAN_ROLE | EVERY_PROVIDER_ROLE,
    Capability.INVOICES_UPLOAD: frozenset({CC, IN}),
    Capability.PROVIDER_INVOICES_UPLOAD: frozenset({ProviderRole.PROVIDER_ADMINISTRATOR, ProviderRole.CARE_MANAGER}),
    Capability.OUTREACH_ENCOUNTERS_RECORD: frozenset(),
    Capability.REPORTS_BUILD: frozenset({RA}),
}

# Why a role reads PHI, for the access log (HIPAA minimum necessary: the purpose is recorded).
PHI_PURPOSE_BY_ROLE = {
    CC: "care_coordination",
    RV: "utilization_review",
    RA: "reporting",
    PA: "care_coordination",
    IN: "integration",
    ProviderRole.PROVIDER_ADMINISTRATOR: "care_coordination",
    ProviderRole.CARE_MANAGER: "care_coordination",
    ProviderRole.OUTREACH_STAFF: "care_coordination",
}


def capabilities_of(role: str) -> frozenset[Capability]:
    return frozenset(capability for capability, roles in ROLES_BY_CAPABILITY.items() if role in roles)


def holders(capability: Capability) -> frozenset:
    """The roles holding `capability` (e.g. who to notify of work only they may do)."""
    return ROLES_BY_CAPABILITY[capability]


@dataclass(frozen=True)
class Principal:
    """Whoever acts. `plan_ids` are the plans it may act in; `organization_id` is set for provider
    staff, whose selectors filter by organization as well as plan."""

    name: str
    capabilities: frozenset[Capability] = field(repr=False)
    plan_ids: frozenset[int] | None  # None: every plan (the installation operator only)
    user: models.Model | None = field(default=None, repr=False)
    role: str = ""
    membership: Membership | None = field(default=None, compare=False)
    provider_membership: models.Model | None = field(default=None, compare=False)
    organization_id: int | None = None

    @classmethod
    def of_membership(cls, membership: Membership) -> "Principal":
        return cls(
            name=membership.user.get_username(),
            capabilities=capabilities_of(membership.role) if membership.is_active else frozenset(),
            plan_ids=frozenset({membership.plan_id}),
            user=membership.user,
            role=membership.role,
            membership=membership,
        )

    @classmethod
    def of_provider_membership(cls, provider_membership, *, plan_ids) -> "Principal":
        """Provider staff: `plan_ids` are the plans contracting with the organization today."""
        return cls(
            name=provider_membership.user.get_username(),
            capabilities=capabilities_of(provider_membership.role) if provider_membership.is_active else frozenset(),
            plan_ids=frozenset(plan_ids),
            user=provider_membership.user,
            role=provider_membership.role,
            provider_membership=provider_membership,
            organization_id=provider_membership.organization_id,
        )

    @classmethod
    def system(cls, name: str, *capabilities: Capability, plan: HealthPlan) -> "Principal":
        """A job that acts on its own in one plan, holding only `capabilities`."""
        return cls(name=f"system:{name}", capabilities=frozenset(capabilities), plan_ids=frozenset({plan.pk}))

    @property
    def is_provider(self) -> bool:
        return self.organization_id is not None

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def phi_purpose(self) -> str:
        return PHI_PURPOSE_BY_ROLE.get(self.role, "care_coordination")

    def may(self, capability: Capability, *, plan: HealthPlan | int | None = None, organization=None) -> bool:
        if capability not in self.capabilities:
            return False
        plan_id = getattr(plan, "pk", plan)
        if plan_id is not None and self.plan_ids is not None and plan_id not in self.plan_ids:
            return False
        organization_id = getattr(organization, "pk", organization)
        return not (self.is_provider and organization_id is not None and organization_id != self.organization_id)


# The installation operator: management commands run by whoever runs the installation.
OPERATOR = Principal(name="system:operator", capabilities=frozenset(Capability), plan_ids=None)


def principal_for(actor, plan: HealthPlan | int | None) -> Principal | None:
    """The principal `actor` acts as in `plan`: a Principal as it is; a user by their active
    membership of the plan (commands and tests name users); None for no one."""
    if actor is None or isinstance(actor, Principal):
        return actor
    plan_id = getattr(plan, "pk", plan)
    if not getattr(actor, "is_authenticated", False) or plan_id is None:
        return None
    membership = (
        Membership.objects.filter(plan_id=plan_id, user_id=actor.pk, is_active=True).select_related("user").first()
    )
    return Principal.of_membership(membership) if membership is not None else None


def require(actor, capability: Capability, *, plan: HealthPlan, organization=None) -> Principal:
    """Refuse (HTTP 403) unless `actor` holds `capability` in `plan` (and, for provider staff, for
    `organization`). Services call it first, before any write or PHI read."""
    principal = principal_for(actor, plan)
    if principal is None or not principal.may(capability, plan=plan, organization=organization):
        raise ActionNotPermitted(f"Your role in this plan may not {capability.label}.")
    return principal


def transition_permission(capability: Capability):
    """A django-fsm `permission=` callable from the table: the actor holds `capability` in the
    object's plan."""

    def permitted(instance, actor) -> bool:
        principal = principal_for(actor, instance.plan_id)
        return principal is not None and principal.may(capability, plan=instance.plan_id)

    permitted.__name__ = f"may_{capability.name.lower()}"
    return permitted


class Can:
    """`can.AUTHORIZATIONS_SUBMIT` in templates: does the request's principal hold it here?"""

    def __init__(self, principal: Principal | None, plan):
        self.principal, self.plan = principal, plan

    def __getitem__(self, name: str) -> bool:
        return self.principal is not None and self.principal.may(Capability[name], plan=self.plan)


def actor_user(actor):
    """The user behind an actor (a Principal or a user), for audit rows; None for system jobs."""
    user = actor.user if isinstance(actor, Principal) else actor
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def actor_label(actor) -> str:
    if isinstance(actor, Principal):
        return actor.name
    user = actor_user(actor)
    return user.get_username() if user is not None else "system"
