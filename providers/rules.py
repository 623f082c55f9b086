"""The order in which a member authorized for ECM is assigned to an ECM Provider (DOMAIN 7).

Pure functions of plain facts. The order is the product's interpretation of the Policy Guide
(DOMAIN 7): (1) the member's stated preference, to the extent practicable; (2) the member's
behavioral-health provider, for a member receiving Specialty Mental Health or DMC-ODS/DMC
services; (3) the member's PCP — a plan setting may swap (2) and (3), and both yield to a
documented "more appropriate provider" decision; (4) a provider contracted for the member's county
that serves the member's Populations of Focus (all of them where one does), with capacity left.
Step (4) never picks a provider serving none of the member's POFs; a member with no POF open is
assigned by steps (1)-(3) or a documented decision, else there is no provider.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Rule(StrEnum):
    MEMBER_PREFERENCE = "member_preference"
    BEHAVIORAL_HEALTH_PROVIDER = "behavioral_health_provider"
    PCP = "pcp"
    MORE_APPROPRIATE_PROVIDER = "more_appropriate_provider"
    COUNTY_AND_POF = "county_and_pof"
    NO_PROVIDER = "no_provider"


@dataclass(frozen=True)
class Candidate:
    """A provider organization with an active ECM contract with the plan."""

    organization_id: int
    name: str
    npi: str
    counties: frozenset[str]
    pofs: frozenset[str]
    capacity: int
    assigned: int

    @property
    def capacity_left(self) -> int:
        return self.capacity - self.assigned


@dataclass(frozen=True)
class Member:
    county: str
    pofs: frozenset[str]
    preferred_organization_id: int | None = None
    receives_specialty_behavioral_health: bool = False
    behavioral_health_npi: str = ""
    pcp_npi: str = ""
    more_appropriate_organization_id: int | None = None  # a documented decision


@dataclass(frozen=True)
class Decision:
    organization_id: int | None
    rule: Rule
    passed_over: tuple[tuple[int, str], ...] = field(default=())


def _unusable(candidate: Candidate, member: Member) -> str | None:
    if member.county not in candidate.counties:
        return "no contract for the member's county"
    if candidate.capacity_left <= 0:
        return "no capacity left"
    return None


def choose_provider(
    member: Member, candidates: list[Candidate], *, pcp_before_behavioral_health: bool = False
) -> Decision:
    """The provider the member is assigned to, the rule that decided, and who was passed over why."""
    passed_over: list[tuple[int, str]] = []
    by_id = {candidate.organization_id: candidate for candidate in candidates}

    def take(candidate: Candidate | None, rule: Rule, missing: str) -> Decision | None:
        if candidate is None:
            return None
        reason = _unusable(candidate, member)
        if reason is None:
            return Decision(candidate.organization_id, rule, tuple(passed_over))
        passed_over.append((candidate.organization_id, f"{missing}: {reason}"))
        return None

    if member.preferred_organization_id is not None:
        preferred = by_id.get(member.preferred_organization_id)
        if preferred is None:
            passed_over.append((member.preferred_organization_id, "member preference: no ECM contract with the plan"))
        elif decision := take(preferred, Rule.MEMBER_PREFERENCE, "member preference"):
            return decision

    if member.more_appropriate_organization_id is not None:
        chosen = by_id.get(member.more_appropriate_organization_id)
        if decision := take(chosen, Rule.MORE_APPROPRIATE_PROVIDER, "more appropriate provider"):
            return decision
    else:
        by_npi = {candidate.npi: candidate for candidate in candidates}
        behavioral = (
            (Rule.BEHAVIORAL_HEALTH_PROVIDER, by_npi.get(member.behavioral_health_npi), "behavioral health provider")
            if member.receives_specialty_behavioral_health and member.behavioral_health_npi
            else None
        )
        pcp = (Rule.PCP, by_npi.get(member.pcp_npi), "PCP") if member.pcp_npi else None
        for step in [pcp, behavioral] if pcp_before_behavioral_health else [behavioral, pcp]:
            if step is not None and (decision := take(step[1], step[0], step[2])):
                return decision

    # Step 4 needs competence: a provider serving none of the member's POFs is never chosen here,
    # so a member with no POF open has no step-4 candidate (the service says so).
    competent = [c for c in candidates if c.pofs & member.pofs and _unusable(c, member) is None]
    if competent:
        # Competent for all of the member's POFs where one is (the most POFs in common first),
        # then the most room, then the longest-standing organization for a stable answer.
        best = max(
            competent,
            key=lambda c: (len(c.pofs & member.pofs), c.capacity_left, -c.organization_id),
        )
        return Decision(best.organization_id, Rule.COUNTY_AND_POF, tuple(passed_over))
    return Decision(None, Rule.NO_PROVIDER, tuple(passed_over))
