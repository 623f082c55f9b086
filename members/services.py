"""Writing members, their enrollment spans and their other-program enrollments."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.identifiers import normalize_cin
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from members.models import EnrollmentSpan, Member, Program, ProgramEnrollment

MEMBER_FIELDS = [
    "cin", "first_name", "last_name", "birth_date", "sex", "preferred_language", "address_line",
    "city", "zip_code", "phone", "email", "county", "medicare_model", "pcp_npi",
    "behavioral_health_npi",
]  # fmt: skip


def _validated(member: Member) -> Member:
    """Model validation turned into a field-level domain error (the first one)."""
    try:
        member.full_clean(exclude=["plan"], validate_unique=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from error
    if member.county_id and not member.plan.counties.filter(pk=member.county_id).exists():
        raise DomainError(f"{member.plan} does not serve {member.county}.", field="county")
    duplicate = Member.objects.filter(plan=member.plan, cin=member.cin).exclude(pk=member.pk)
    if duplicate.exists():
        raise DomainError(f"A member with CIN {member.cin} exists already.", field="cin", code="duplicate")
    return member


@transaction.atomic
def member_create(*, plan: HealthPlan, actor, enrolled_from: date | None = None, **fields) -> Member:
    """Create a member; with `enrolled_from`, also their open enrollment span in the plan."""
    require(actor, Capability.MEMBERS_WRITE, plan=plan)
    fields["cin"] = normalize_cin(fields.get("cin", ""))
    member = _validated(Member(plan=plan, **fields))
    member.save()
    if enrolled_from:
        EnrollmentSpan.objects.create(plan=plan, member=member, start_date=enrolled_from)
    audit_record(
        code="members.member.created",
        plan=plan,
        actor=actor,
        target=member,
        payload={"cin": member.cin},
    )
    return member


@transaction.atomic
def member_update(*, plan: HealthPlan, member: Member, actor, **fields) -> Member:
    require(actor, Capability.MEMBERS_WRITE, plan=plan)
    require_same_plan(plan, member)
    if "cin" in fields:
        fields["cin"] = normalize_cin(fields["cin"])
    changed = {name: value for name, value in fields.items() if getattr(member, name) != value}
    for name, value in changed.items():
        setattr(member, name, value)
    if changed:
        _validated(member).save()
        audit_record(
            code="members.member.updated",
            plan=plan,
            actor=actor,
            target=member,
            payload={"fields": sorted(changed)},
        )
    return member


def _check_span(start_date: date, end_date: date | None) -> None:
    if end_date is not None and end_date < start_date:
        raise DomainError("The end date is before the start date.", field="end_date")


@transaction.atomic
def enrollment_span_add(
    *, plan: HealthPlan, member: Member, start_date: date, end_date: date | None = None, actor
) -> EnrollmentSpan:
    require(actor, Capability.MEMBERS_WRITE, plan=plan)
    require_same_plan(plan, member, field="member")
    _check_span(start_date, end_date)
    overlapping = EnrollmentSpan.objects.filter(plan=plan, member=member, start_date__lte=end_date or date.max)
    if overlapping.exclude(end_date__lt=start_date).exists():
        raise DomainError("The span overlaps an existing enrollment span.", field="start_date")
    span = EnrollmentSpan.objects.create(plan=plan, member=member, start_date=start_date, end_date=end_date)
    audit_record(
        code="members.enrollment.added",
        plan=plan,
        actor=actor,
        target=span,
        payload={
            "member": member.pk,
            "start_date": str(start_date),
            "end_date": str(end_date or ""),
        },
    )
    return span


@transaction.atomic
def program_enrollment_add(
    *,
    plan: HealthPlan,
    member: Member,
    program: Program,
    start_date: date,
    end_date: date | None = None,
    actor,
) -> ProgramEnrollment:
    require(actor, Capability.MEMBERS_WRITE, plan=plan)
    require_same_plan(plan, member, field="member")
    _check_span(start_date, end_date)
    enrollment = ProgramEnrollment.objects.create(
        plan=plan, member=member, program=program, start_date=start_date, end_date=end_date
    )
    audit_record(
        code="members.program_enrollment.added",
        plan=plan,
        actor=actor,
        target=enrollment,
        payload={"member": member.pk, "program": program.code, "start_date": str(start_date)},
    )
    return enrollment


@transaction.atomic
def program_enrollment_end(
    *, plan: HealthPlan, enrollment: ProgramEnrollment, end_date: date, actor
) -> ProgramEnrollment:
    require(actor, Capability.MEMBERS_WRITE, plan=plan)
    require_same_plan(plan, enrollment)
    _check_span(enrollment.start_date, end_date)
    enrollment.end_date = end_date
    enrollment.save(update_fields=["end_date"])
    audit_record(
        code="members.program_enrollment.ended",
        plan=plan,
        actor=actor,
        target=enrollment,
        payload={"end_date": str(end_date)},
    )
    return enrollment
