from datetime import date

from django.db.models import BooleanField, Func, Q, QuerySet, Value
from django.db.models.functions import Upper
from django.http import Http404

from ecm_platform.identifiers import normalize_cin
from ecm_platform.tenancy.models import HealthPlan
from members.models import EnrollmentSpan, Member, Program, ProgramEnrollment


def member_list(*, plan: HealthPlan) -> QuerySet[Member]:
    return Member.objects.filter(plan=plan).select_related("county")


def member_get(*, plan: HealthPlan, pk) -> Member:
    """The plan's member, or 404 for a missing one and another plan's alike."""
    member = member_list(plan=plan).filter(pk=pk).first()
    if member is None:
        raise Http404("No such member.")
    return member


class StartsWith(Func):
    """Whether a text starts with a prefix. On PostgreSQL `starts_with()`, which is leakproof, so an
    index serves it under row-level security (LIKE, as `istartswith` reads, is not); on SQLite a
    comparison of the leading characters."""

    function = "starts_with"
    output_field = BooleanField()

    def as_sqlite(self, compiler, connection, **extra_context):
        (text, text_params), (prefix, prefix_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"substr({text}, 1, length({prefix})) = {prefix}", [*text_params, *prefix_params, *prefix_params]


def member_search(
    *, plan: HealthPlan, cin: str = "", name: str = "", birth_date: date | None = None
) -> QuerySet[Member]:
    members = member_list(plan=plan)
    if cin:
        members = members.filter(cin=normalize_cin(cin))
    for word in name.split():
        prefix = Upper(Value(word))
        members = members.filter(Q(StartsWith("first_name_key", prefix)) | Q(StartsWith("last_name_key", prefix)))
    if birth_date:
        members = members.filter(birth_date=birth_date)
    return members


def active_on(day: date) -> Q:
    """Rows of a start/end date span (end inclusive, open-ended when empty) that cover `day`."""
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def enrolled_on(*, plan: HealthPlan, member: Member, day: date) -> bool:
    """Is the member enrolled in the plan on `day`? The one answer every rule uses (DOMAIN 3.3, 5.2)."""
    return enrollment_spans(plan=plan, member=member).filter(active_on(day)).exists()


def enrollment_spans(*, plan: HealthPlan, member: Member) -> QuerySet[EnrollmentSpan]:
    return EnrollmentSpan.objects.filter(plan=plan, member=member)


def program_enrollment_list(*, plan: HealthPlan) -> QuerySet[ProgramEnrollment]:
    return ProgramEnrollment.objects.filter(plan=plan).select_related("program", "member")


def program_list() -> QuerySet[Program]:
    return Program.objects.prefetch_related("rules")
