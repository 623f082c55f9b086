"""The dataset of benchmarks/api.py (issue 15): one plan with N members and M authorization requests,
generated set-based in SQL (INSERT ... SELECT generate_series), plus the login the load runs under.

Members get realistic names (a few hundred common surnames and tens of thousands of composed ones,
so a name prefix is selective), CINs, birth dates, one or two enrollment spans and a county.
Requests: 15% open (received, in review, deferred, presumptive) with a due instant around now,
the rest decided long ago; one in ten expedited; provider referrals name one of 200 organizations;
every request has its decision clock in the deadline registry (live while open, met once decided).
A marker table, written last, says the database is complete and for what sizes.
"""

import random
import secrets
import time

from stdnum import luhn

MARKER = "benchmark_api_dataset"  # not a model: the benchmark's own note in its own database
PLAN_CODE = "bench-api"
COORDINATOR = "bench-coordinator"
COORDINATOR_PASSWORD = "load-test-only-9f3c-kestrel"  # noqa: S105 -- a synthetic benchmark database
CHUNK = 200_000
EMPTY_TEXT = "''"
ORGANIZATIONS = 200

FIRST_NAMES = (  # noqa: SIM905 -- data, easier read as words
    "Maria Jose Juan Luis Carlos Ana Rosa Jesus Miguel Sofia Isabella Camila Valentina Mateo Santiago "
    "Diego Gabriel Daniel David James John Robert Michael William Mary Patricia Jennifer Linda Elizabeth "
    "Barbara Susan Jessica Sarah Karen Nancy Lisa Betty Margaret Sandra Ashley Kimberly Emily Donna "
    "Michelle Dorothy Carol Amanda Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy "
    "Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine Christine Debra Rachel Thomas "
    "Charles Christopher Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George "
    "Timothy Ronald Edward Jason Jeffrey Ryan Jacob Nicholas Eric Jonathan Stephen Larry Justin Scott "
    "Brandon Benjamin Samuel Gregory Alexander Frank Raymond Patrick Jack Dennis Jerry Tyler Aaron Wei Li "
    "Ming Hui Jun Mei Yan Hao Tuan Linh Minh Thu Hoa Anh Nguyet Phuong Jin Soo Min Ji Hye Aiyana Kai Noah "
    "Liam Olivia Ava Mia Amelia Harper Evelyn Abigail Ella Luna Aria Nora Zoe Leah"
).split()
COMMON_LAST_NAMES = (  # noqa: SIM905 -- data, easier read as words
    "Garcia Hernandez Lopez Martinez Gonzalez Rodriguez Perez Sanchez Ramirez Torres Flores Rivera Gomez "
    "Diaz Reyes Morales Cruz Ortiz Gutierrez Chavez Ramos Ruiz Alvarez Mendoza Castillo Jimenez Moreno "
    "Romero Herrera Medina Aguilar Vargas Castro Guzman Fernandez Juarez Munoz Mendez Salazar Soto "
    "Delgado Pena Rios Alvarado Sandoval Contreras Valdez Guerrero Ortega Estrada Nunez Vasquez Smith "
    "Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson Martin Lee "
    "Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green Adams "
    "Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart "
    "Nguyen Tran Le Pham Huynh Vo Dang Bui Do Ho Ngo Duong Ly Wang Chen Zhang Liu Yang Huang Zhao Wu Zhou "
    "Xu Sun Ma Zhu Hu Guo Lin Kim Park Choi Jung Kang Cho Yoon Jang Lim Singh Kaur Patel Shah Khan Ali"
).split()
# Composed surnames: 49 x 36 x 24 = 42,336 distinct, so a five-letter prefix finds a few hundred.
HEADS = (  # noqa: SIM905 -- data, easier read as words
    "ab al am an ar as ba be bo br ca ch co da de do el es fa fe ga go ha he ib ja jo ka ko la le lo ma "
    "me mo na ne no ol or pa pe po qu ra re ro sa se"
).split()
MIDDLES = (  # noqa: SIM905 -- data, easier read as words
    "ber can dal der fin gar hal kin lan lor man mar mel mon nar nel par per ran rel ren ros sal sen tal "
    "ter tor val ver vin wal wen zar zel bri cor"
).split()
TAILS = "a o e i ez es as os on an in er ard ton ley ford berg stein ini ello ov enko ski sen".split()  # noqa: SIM905 -- data, easier read as words


def ensure(*, members: int, requests: int) -> dict:
    """The dataset for these sizes, built unless the marker says the database holds it
    (benchmarks/api.py has dropped a database that is incomplete or of other sizes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER} (members int, requests int, plan_id bigint, built_at timestamptz)"
        )
        cursor.execute(f"SELECT plan_id FROM {MARKER} WHERE members = %s AND requests = %s", [members, requests])
        row = cursor.fetchone()
    if row is not None:
        return {"plan_id": row[0], "built": False, "seconds": 0.0}
    started = time.perf_counter()
    plan_id = build(members=members, requests=requests)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {MARKER} VALUES (%s, %s, %s, now())", [members, requests, plan_id])
    return {"plan_id": plan_id, "built": True, "seconds": time.perf_counter() - started}


def marker_sizes(cursor) -> tuple[int, int] | None:
    """The sizes a database's marker names, or None while it has none (never built, or cut short)."""
    cursor.execute("SELECT to_regclass(%s)", [MARKER])
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute(f"SELECT members, requests FROM {MARKER}")
    return cursor.fetchone()


def build(*, members: int, requests: int) -> int:
    from ecm_platform.tenancy.access import OPERATOR
    from ecm_platform.tenancy.models import Role
    from ecm_platform.tenancy.scoping import across_plans, plan_scope
    from ecm_platform.tenancy.services import membership_create, plan_create, user_create

    with across_plans(reason="the benchmark creates its plan"):
        plan = plan_create(
            code=PLAN_CODE, name="Benchmark plan", county_codes=["01", "10", "19", "37", "43"],
            member_services_phone="1-800-555-0199", appeals_address="Appeals\nPO Box 199\nSacramento, CA 95814",
            actor=OPERATOR,
        )  # fmt: skip
        user = user_create(
            username=COORDINATOR, email="coordinator@bench.example", password=COORDINATOR_PASSWORD,
            full_name="Bench Coordinator",
        )  # fmt: skip
    with plan_scope(plan):
        membership_create(user=user, plan=plan, role=Role.CARE_COORDINATOR, actor=OPERATOR)
        organizations_generate()
        members_generate(plan, members)
        _requests(plan, members, requests)
        _analyze()
    return plan.pk


def columns_filled(table: str, given: list[str]) -> tuple[str, str]:
    """The columns and values of an INSERT that sets `given` and gives every other NOT NULL column
    without a default its empty value (Django keeps `blank=True` defaults in Python, not in the table)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
            "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO' AND is_generated = 'NEVER'",
            [table],
        )
        rest = [(name, kind) for name, kind in cursor.fetchall() if name not in given]
    empty = {"boolean": "false", "integer": "0", "smallint": "0", "bigint": "0", "jsonb": "'{}'"}
    columns = ", ".join([*given, *(name for name, _ in rest)])
    values = ", ".join(f"{empty.get(kind, EMPTY_TEXT)} AS {name}" for name, kind in rest)
    return columns, values


def _pick(name: str) -> str:
    """SQL for a random element of the text array parameter `name`."""
    return f"(%({name})s::text[])[1 + floor(random() * cardinality(%({name})s::text[]))::int]"


def sql_run(sql: str, params=None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def organizations_generate() -> None:
    from providers.models import EnrollmentPathway, OrganizationType, ProviderOrganization

    table = ProviderOrganization._meta.db_table
    npis = [f"{base}{luhn.calc_check_digit('80840' + base)}" for base in (f"1{n:08d}" for n in range(ORGANIZATIONS))]
    columns, rest = columns_filled(
        table, ["id", "npi", "tax_id", "name", "organization_type", "enrollment_pathway", "is_active", "created_at"]
    )
    sql_run(
        f"INSERT INTO {table} ({columns}) SELECT g, (%(npis)s::text[])[g], lpad((g * 7)::text, 9, '0'), "
        f"'Community Care ' || g, (%(types)s::text[])[1 + g %% %(ntypes)s], (%(paths)s::text[])[1 + g %% 2], true, now()"
        f"{', ' + rest if rest else ''} FROM generate_series(1, %(n)s) g",
        {"npis": npis, "types": list(OrganizationType.values), "ntypes": len(OrganizationType.values),
         "paths": list(EnrollmentPathway.values), "n": ORGANIZATIONS},
    )  # fmt: skip
    sql_run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [ORGANIZATIONS])


def members_generate(plan, members: int) -> None:
    from members.models import EnrollmentSpan, MedicareModel, Member

    table, spans = Member._meta.db_table, EnrollmentSpan._meta.db_table
    names = {
        "first": FIRST_NAMES, "common": COMMON_LAST_NAMES, "heads": HEADS, "middles": MIDDLES, "tails": TAILS,
        "counties": list(plan.counties.values_list("pk", flat=True)), "plan": plan.pk,
        "medicare": [MedicareModel.NONE] * 8 + [MedicareModel.MEDICARE_FFS, MedicareModel.DSNP_ALIGNED],
    }  # fmt: skip
    given = [
        "id", "plan_id", "cin", "first_name", "last_name", "birth_date", "sex", "preferred_language", "address_line",
        "city", "zip_code", "phone", "county_id", "medicare_model", "created_at", "updated_at",
    ]  # fmt: skip
    columns, rest = columns_filled(table, given)
    span_columns, span_rest = columns_filled(spans, ["plan_id", "member_id", "start_date", "end_date"])
    for first in range(1, members + 1, CHUNK):
        last = min(first + CHUNK - 1, members)
        sql_run(
            f"""INSERT INTO {table} ({columns})
            SELECT g, %(plan)s, lpad(g::text, 8, '0') || chr(65 + g %% 26), {_pick("first")},
              CASE WHEN random() < 0.3 THEN {_pick("common")}
                   ELSE initcap({_pick("heads")} || {_pick("middles")} || {_pick("tails")}) END,
              date '1931-01-01' + floor(random() * 34000)::int,
              (ARRAY['F', 'F', 'M', 'M', 'X', 'U'])[1 + floor(random() * 6)::int],
              (ARRAY['en', 'en', 'en', 'es', 'es', 'vi', 'zh', 'ko', 'tl', 'hy'])[1 + floor(random() * 10)::int],
              (100 + g %% 9800) || ' ' || (ARRAY['Main St', 'Oak Ave', 'Mission Blvd', 'Broadway', '1st St'])[1 + g %% 5],
              (ARRAY['Oakland', 'Fresno', 'Los Angeles', 'San Diego', 'Riverside'])[1 + g %% 5],
              (90000 + g %% 6000)::text, '555-' || lpad((g %% 10000)::text, 4, '0'),
              (%(counties)s::bigint[])[1 + g %% cardinality(%(counties)s::bigint[])],
              {_pick("medicare")}, now(), now()
              {", " + rest if rest else ""}
            FROM generate_series({first}, {last}) g""",
            names,
        )
        # Every member enrolled since a day in 2019-2025; one in ten had an earlier, ended span.
        sql_run(
            f"""INSERT INTO {spans} ({span_columns})
            SELECT %(plan)s, g, start, NULL {", " + span_rest if span_rest else ""}
            FROM generate_series({first}, {last}) g, LATERAL (SELECT date '2019-01-01' + (g * 37) %% 2400 AS start) s
            UNION ALL
            SELECT %(plan)s, g, date '2016-01-01' + g %% 300, date '2018-06-30' {", " + span_rest if span_rest else ""}
            FROM generate_series({first}, {last}) g WHERE g %% 10 = 0""",
            {"plan": plan.pk},
        )
        print(f"  members {last:,} of {members:,}", flush=True)
    sql_run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [members])


def _requests(plan, members: int, requests: int) -> None:
    from django.contrib.contenttypes.models import ContentType

    from authorizations.models import AuthorizationRequest
    from benefits.models import ecm_service_pk
    from ecm_platform.deadlines.models import Deadline
    from ecm_platform.tenancy.access import Capability
    from eligibility.models import PopulationOfFocus

    table, deadlines = AuthorizationRequest._meta.db_table, Deadline._meta.db_table
    stride = next(p for p in (7919, 7927, 7933) if members % p)  # request i -> a distinct member while i < members
    given = [
        "id", "plan_id", "member_id", "service_id", "urgency", "source", "received_at", "requester_name",
        "requester_organization_id", "status", "due_at", "original_due_at", "extension_days", "decided_at",
        "decision", "denial_reason", "services_started_on", "presumptive_until", "created_at", "updated_at",
    ]  # fmt: skip
    columns, rest = columns_filled(table, given)
    # Status by i mod 100: 15% open, then approved, active, denied, withdrawn, discontinued, ended.
    sql_run(
        f"""INSERT INTO {table} ({columns})
        SELECT i, %(plan)s, 1 + (i::bigint * {stride}) %% %(members)s, %(ecm)s, urgency, source, received,
          CASE WHEN source = 'provider_referral' THEN 'Intake desk' ELSE '' END,
          CASE WHEN source = 'provider_referral' THEN 1 + i %% {ORGANIZATIONS} END,
          status, due + CASE WHEN status = 'deferred' THEN interval '14 days' ELSE interval '0' END,
          CASE WHEN status = 'deferred' THEN due END, CASE WHEN status = 'deferred' THEN 14 END,
          CASE WHEN NOT open THEN received + interval '1 day' * (1 + i %% 4) END,
          CASE WHEN status IN ('approved', 'active', 'discontinued', 'ended') THEN 'full' ELSE '' END,
          CASE WHEN status = 'denied' THEN 'no_pof' ELSE '' END,
          CASE WHEN status IN ('active', 'discontinued') THEN (received + interval '20 days')::date END,
          CASE WHEN status = 'presumptive' THEN (received + interval '30 days')::date END,
          received, received
          {", " + rest if rest else ""}
        FROM (
          SELECT i, open, status, urgency, source, received,
            received + CASE WHEN urgency = 'expedited' THEN interval '72 hours' ELSE interval '7 days' END AS due
          FROM (
            SELECT i, i %% 100 < 15 AS open,
              CASE WHEN i %% 100 < 5 THEN 'received' WHEN i %% 100 < 12 THEN 'in_review'
                   WHEN i %% 100 < 14 THEN 'deferred' WHEN i %% 100 < 15 THEN 'presumptive'
                   WHEN i %% 100 < 45 THEN 'approved' WHEN i %% 100 < 70 THEN 'active'
                   WHEN i %% 100 < 80 THEN 'denied' WHEN i %% 100 < 87 THEN 'withdrawn'
                   WHEN i %% 100 < 95 THEN 'discontinued' ELSE 'ended' END AS status,
              CASE WHEN (i / 100) %% 10 = 3 THEN 'expedited' ELSE 'routine' END AS urgency,
              (ARRAY['mcp_identification', 'provider_referral', 'provider_referral', 'community_referral',
                     'self_referral', 'family_referral'])[1 + (i / 7) %% 6] AS source,
              CASE WHEN i %% 100 < 15 THEN now() - interval '1 minute' * ((i * 37) %% 14400)
                   ELSE now() - interval '1 day' * (15 + i %% 700) END AS received
            FROM generate_series(1, %(requests)s) i
          ) s
        ) r""",
        {"plan": plan.pk, "members": members, "requests": requests, "ecm": ecm_service_pk()},
    )
    sql_run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [requests])
    pofs = list(PopulationOfFocus.objects.order_by("pk").values_list("pk", flat=True)[:6])
    through = AuthorizationRequest.pofs.through._meta.db_table
    sql_run(
        f"INSERT INTO {through} (authorizationrequest_id, populationoffocus_id) "
        f"SELECT i, (%(pofs)s::bigint[])[1 + i %% cardinality(%(pofs)s::bigint[])] FROM generate_series(1, %(n)s) i",
        {"pofs": pofs, "n": requests},
    )
    given = ["plan_id", "kind", "target_type_id", "target_id", "member_id", "label", "link", "owner", "due_at",
             "state", "opened_at", "met_at", "closed_at"]  # fmt: skip
    columns, rest = columns_filled(deadlines, given)
    sql_run(
        f"""INSERT INTO {deadlines} ({columns})
        SELECT r.plan_id, 'decision', %(ct)s, r.id, r.member_id,
          'Decision for ' || m.first_name || ' ' || m.last_name || ' (request ' || r.id || ')',
          '/authorizations/' || r.id || '/', %(owner)s, r.due_at,
          CASE WHEN r.decided_at IS NOT NULL THEN 'met' WHEN r.due_at < now() THEN 'overdue'
               WHEN r.due_at < now() + interval '24 hours' THEN 'at_risk' ELSE 'open' END,
          r.received_at, r.decided_at, r.decided_at {", " + rest if rest else ""}
        FROM {table} r JOIN members_member m ON m.id = r.member_id""",
        {"ct": ContentType.objects.get_for_model(AuthorizationRequest).pk, "owner": Capability.AUTHORIZATIONS_APPROVE},
    )


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def api_key(plan_id: int) -> str:
    """A fresh API key for the care coordinator's membership, issued through the project's service."""
    from ecm_platform.tenancy.access import OPERATOR
    from ecm_platform.tenancy.models import HealthPlan, Membership
    from ecm_platform.tenancy.scoping import plan_scope
    from ecm_platform.tenancy.services import api_key_issue

    plan = HealthPlan.objects.get(pk=plan_id)
    with plan_scope(plan):
        membership = Membership.objects.get(plan=plan, user__username=COORDINATOR)
        _, raw_key = api_key_issue(
            plan=plan, membership=membership, name=f"benchmark {secrets.token_hex(4)}", actor=OPERATOR
        )
    return raw_key


def samples(plan_id: int, count: int = 200) -> dict:
    """Member ids, CINs and name prefixes the load rotates through, drawn from the data."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM members_member WHERE plan_id = %s", [plan_id])
        top = cursor.fetchone()[0]
        rng = random.Random(15)
        ids = sorted({rng.randint(1, top) for _ in range(count)})
        cursor.execute("SELECT id, cin, last_name FROM members_member WHERE id = ANY(%s) ORDER BY id", [ids])
        rows = cursor.fetchall()
    return {
        "ids": [row[0] for row in rows],
        "cins": [row[1] for row in rows],
        "prefixes": sorted({row[2][:5] for row in rows})[:40],
        "middle_id": top // 2,
    }
