"""Benchmark of invoice files becoming encounters (issue 18: "an invoice file of 100k lines is
validated and applied in <= 10 s") on a synthetic plan in PostgreSQL.

    DATABASE_URL=postgres://ecm_app@127.0.0.1:5432/ecm .venv/bin/python benchmarks/invoices.py \
        [--lines 100000] [--json out.json]

It creates its own database (DATABASE_URL's name + "_invoice_bench"), migrates it and builds a
plan with `--lines / 5` members enrolled since 2020 and 40 ECM providers plus 10 respite providers
under contracts in force, then writes one invoice CSV in the baseline column map: 85% ECM lines
(G9008 U1, G9008 U1 GQ, G9012 U2, G9012 U2 GQ, G9012 U8), 15% respite (H0045 U6, one day each,
within the 336 hours a year). It times the job's work (`invoice_file_job`: the file read through
the column map, every line checked set-based, the encounters inserted in one transaction), then
the same file again (idempotent: every line unchanged), and prints the numbers. The database is
dropped at the end unless --keep.
"""

import argparse
import json
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project importable
from benchmarks.common import benchmark_plan, own_database, peak_memory_mb, require_postgresql

BUDGET_SECONDS = 10.0
NOW = datetime(2026, 12, 1, 18, tzinfo=UTC)
ECM_CODES = [
    ("G9008", "U1", ""),
    ("G9008", "U1", "GQ"),
    ("G9012", "U2", ""),
    ("G9012", "U2", "GQ"),
    ("G9012", "U8", ""),
]
HEADER = (
    "Provider NPI,Invoice Number,Line Number,Member CIN,Service Date From,Service Date To,HCPCS Code,"
    "Modifier 1,Modifier 2,Modifier 3,Modifier 4,Units,Billed Amount,Place of Service,Notes\n"
)


def npi(number: int) -> str:
    from stdnum import luhn

    stem = f"{100000000 + number:09d}"
    return stem + luhn.calc_check_digit("80840" + stem)


def build_plan(plan, members: int) -> SimpleNamespace:
    """Members enrolled since 2020 and the providers under contracts in force (set-based inserts)."""
    from benefits.models import CatalogueService
    from ecm_platform.tenancy.access import OPERATOR
    from ecm_platform.tenancy.models import County
    from eligibility.models import PopulationOfFocus
    from members.models import EnrollmentSpan, Member
    from providers.models import Contract
    from providers.services import contract_create, organization_create

    county = County.objects.get(code="01")
    made = Member.objects.bulk_create(
        [
            Member(plan=plan, cin=f"{70000000 + n:08d}B", first_name=f"M{n}", last_name="Bench",
                   birth_date=date(1970, 1, 1), county=county)
            for n in range(members)
        ],
        batch_size=5000,
    )  # fmt: skip
    EnrollmentSpan.objects.bulk_create(
        [EnrollmentSpan(plan=plan, member=member, start_date=date(2020, 1, 1)) for member in made], batch_size=5000
    )
    pofs = list(PopulationOfFocus.objects.filter(code="HOMELESS"))
    respite = CatalogueService.objects.get(code="respite")
    ecm_npis, respite_npis = [], []
    for number in range(50):
        organization = organization_create(
            plan=plan, actor=OPERATOR, npi=npi(number), tax_id=f"{number:09d}", name=f"Bench provider {number}",
            organization_type="cbo", enrollment_pathway="mcp_vetting",
        )  # fmt: skip
        lines = {"capacity": 10_000} if number < 40 else {"lines": [{"service": respite, "capacity": 10_000}]}
        contract = contract_create(
            plan=plan, actor=OPERATOR, organization=organization, counties=[county], pofs=pofs,
            start_date=date(2025, 1, 1), **lines,
        )  # fmt: skip
        Contract.objects.filter(pk=contract.pk).update(activated_on=contract.start_date)
        (ecm_npis if number < 40 else respite_npis).append(organization.npi)
    return SimpleNamespace(cins=[member.cin for member in made], ecm=ecm_npis, respite=respite_npis)


def invoice_csv(world, lines: int) -> bytes:
    """One file of `lines` lines: invoices of 100 lines each, a provider per invoice."""
    rows = [HEADER]
    first_day = date(2026, 1, 5)
    for number in range(lines):
        invoice, line = divmod(number, 100)
        cin = world.cins[number % len(world.cins)]
        day = first_day + timedelta(days=(number // len(world.cins)) % 300)
        if number % 20 < 3:  # 15% respite, one day each: a member gets at most 5 days a year here
            provider, hcpcs, first, second = world.respite[invoice % len(world.respite)], "H0045", "U6", ""
        else:
            provider = world.ecm[invoice % len(world.ecm)]
            hcpcs, first, second = ECM_CODES[number % len(ECM_CODES)]
        rows.append(
            f"{provider},INV-{invoice},{line + 1},{cin},{day.isoformat()},,{hcpcs},{first},{second},,,1,85.00,12,\n"
        )
    return "".join(rows).encode()


def timed_import(plan, content: bytes) -> dict:
    from ecm_platform import clocks
    from ecm_platform.jobs.models import ImportJob
    from ecm_platform.tenancy.access import OPERATOR
    from encounters.services import JOB_KIND, JOB_TASK, invoice_file_job

    job = ImportJob(
        plan=plan, kind=JOB_KIND, capability="encounters.invoices.upload", task_name=JOB_TASK, content=content,
        source_name="bench.csv", created_at=NOW,
    )  # fmt: skip
    phases = []
    started = time.perf_counter()
    with clocks.frozen(NOW):
        report = invoice_file_job(
            job=job, actor=OPERATOR, progress=lambda done, phase: phases.append((phase, time.perf_counter() - started))
        )
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "created": report["created"], "unchanged": report["unchanged"],
            "errors": report["errors"][:5], "phases": [(p, round(s, 2)) for p, s in phases]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", type=Path)
    arguments = parser.parse_args()
    require_postgresql()
    import django

    django.setup()
    from ecm_platform.tenancy.scoping import plan_scope

    with own_database("_invoice_bench", keep=arguments.keep):
        plan = benchmark_plan("BENCH-INV")
        with plan_scope(plan):
            built = time.perf_counter()
            world = build_plan(plan, max(arguments.lines // 5, 1))
            content = invoice_csv(world, arguments.lines)
            print(f"dataset: {len(world.cins):,} members, {arguments.lines:,} lines "
                  f"({len(content) / 2**20:.1f} MiB) in {time.perf_counter() - built:.1f} s")  # fmt: skip
            first = timed_import(plan, content)
            print(f"first upload: {first['created']:,} created in {first['seconds']} s {first['phases']}")
            again = timed_import(plan, content)
            print(f"sent again: {again['unchanged']:,} unchanged, {again['created']} created in {again['seconds']} s")
    numbers = {
        "lines": arguments.lines, "first": first, "again": again, "budget_seconds": BUDGET_SECONDS,
        "within_budget": first["seconds"] <= BUDGET_SECONDS, "peak_memory_mb": peak_memory_mb(),
    }  # fmt: skip
    print(json.dumps(numbers))
    if arguments.json:
        arguments.json.write_text(json.dumps(numbers, indent=2))
    if first["errors"] or first["created"] != arguments.lines or again["unchanged"] != arguments.lines:
        raise SystemExit("The file did not import as generated: see the errors above.")


if __name__ == "__main__":
    main()
