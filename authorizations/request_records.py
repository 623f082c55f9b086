"""The small lists of one request's page read in one query (issue 15: at most 12 queries a page):
its notices, attachments, appeals, grievances and history, each a handful of rows, as one UNION ALL
of their querysets, rows handed back as model instances of their own kind, in their own order."""

from django.db import connection
from django.db.models import F, IntegerField, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim

from authorizations import selectors
from authorizations.models import AuthorizationRequest
from ecm_platform.tenancy.models import HealthPlan


def _fields(rows: QuerySet) -> list:
    """The concrete fields the queryset loads (its deferred ones left out)."""
    names, deferring = rows.query.deferred_loading
    return [
        field
        for field in rows.model._meta.concrete_fields
        if field.attname == "id" or (field.name not in names if deferring else field.name in names or not names)
    ]


def _column(field) -> tuple[str, str]:
    # Columns are shared by name and type only: the same name may hold another type in another kind.
    return field.attname, field.get_internal_type()


def rows_by_kind(**kinds: QuerySet) -> dict[str, list]:
    """Each queryset's rows, by its keyword, from one query. Each branch selects every column of
    every kind (a NULL cast to the column's type where it is not its own: PostgreSQL types an
    untyped NULL as text, and the converters follow the first branch's types), its annotations set
    as attributes. Each list is then put in its queryset's order (field names, "-" descending)."""
    columns: dict[tuple[str, str], object] = {}
    for rows in kinds.values():
        for field in _fields(rows):
            columns.setdefault(_column(field), field.target_field if field.is_relation else field)
        for alias, annotation in rows.query.annotations.items():
            columns.setdefault((alias, annotation.output_field.get_internal_type()), annotation.output_field)
    slots = {key: f"c{number}" for number, key in enumerate(columns)}
    branches = []
    for number, rows in enumerate(kinds.values()):
        own = {_column(field): F(field.attname) for field in _fields(rows)}
        own |= {(alias, a.output_field.get_internal_type()): F(alias) for alias, a in rows.query.annotations.items()}
        selected = {slot: own.get(key, Cast(Value(None), output_field=columns[key])) for key, slot in slots.items()}
        branches.append(rows.order_by().values(kind=Value(number, output_field=IntegerField()), **selected))
    found: dict[str, list] = {name: [] for name in kinds}
    names = list(kinds)
    for row in branches[0].union(*branches[1:], all=True):
        name = names[row["kind"]]
        rows = kinds[name]
        fields = _fields(rows)
        instance = rows.model.from_db(
            connection.alias, [f.attname for f in fields], [row[slots[_column(f)]] for f in fields]
        )
        for alias, annotation in rows.query.annotations.items():
            setattr(instance, alias, row[slots[(alias, annotation.output_field.get_internal_type())]])
        found[name].append(instance)
    for name, rows in kinds.items():
        for key in reversed(rows.query.order_by or rows.model._meta.ordering):
            found[name].sort(key=lambda row, key=key: getattr(row, key.lstrip("-")), reverse=key.startswith("-"))
    return found


def request_records(*, plan: HealthPlan, request: AuthorizationRequest) -> dict[str, list]:
    """The request's notices, attachments (with `uploader`, the name a page shows), appeals (each
    with its notice, one of those), grievances and history (oldest first), in one query."""
    full_name = Trim(Concat("uploaded_by__first_name", Value(" "), "uploaded_by__last_name"))
    records = rows_by_kind(
        notices=selectors.notice_list(plan=plan).select_related(None).filter(request=request),
        attachments=selectors.attachment_list(plan=plan)
        .select_related(None)
        .filter(request=request)
        .annotate(uploader=Coalesce(NullIf(full_name, Value("")), "uploaded_by__username"))
        .order_by("uploaded_at", "id"),
        appeals=selectors.appeal_list(plan=plan)
        .select_related(None)
        .filter(request=request)
        .order_by("received_at", "id"),
        grievances=selectors.grievance_list(plan=plan)
        .select_related(None)
        .filter(request=request)
        .order_by("received_at", "id"),
        history=selectors.request_history(plan=plan, request=request),
    )
    notices = {notice.pk: notice for notice in records["notices"]}
    for appeal in records["appeals"]:
        appeal.notice = notices[appeal.notice_id]  # an appeal of the request is of one of its notices
    return records
