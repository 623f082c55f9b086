"""The project's API and pages under load, beside a bare DRF baseline over the same table (issue 15).

    DATABASE_URL=postgres://ecm_app@127.0.0.1:5432/ecm .venv/bin/python benchmarks/api.py [--build-only]

It builds (or reuses, when complete) the database DATABASE_URL's name + "_api_bench": one plan with
--members members and --requests authorization requests (benchmarks/api_dataset.py), a care
coordinator with an API key and a logged-in session. It then serves the project with gunicorn (2
sync workers, DJANGO_ENV=production, DEBUG off) and, at the same time and with the same workers,
the bare baseline under benchmarks/baseline/, counts each endpoint's queries in-process (Django's
test client and CaptureQueriesContext, against the same database), and drives each endpoint with
`wrk -c8` for --rounds rounds of --duration seconds, project and baseline alternating; prints the
medians (as JSON too with --json). The database is kept (for EXPLAIN) unless --drop.
"""

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project importable
from benchmarks.common import ROOT, child_answer, database_url, free_port, require_postgresql

WORKERS = 2
CONNECTIONS = 8
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
# (key, label, project path, baseline path, authenticated by): "{id}", "{cin}", "{name}" and "{deep}" rotate.
ENDPOINTS = [
    ("member_detail", "member detail", "/api/v1/members/{id}/", "/members/{id}/", "api"),
    ("member_list", "member list, first page", "/api/v1/members/", "/members/", "api"),
    ("member_list_deep", "member list, deep page (cursor)", "/api/v1/members/?cursor={deep}", "/members/?cursor={deep}", "api"),
    ("authorization_list", "authorization list (open, by due)", "/api/v1/authorizations/?is_open=true", None, "api"),
    ("member_search_name", "member search by name (API)", "/api/v1/members/?name={name}", "/members/?name={name}", "api"),
    ("member_search_cin", "member search by CIN (API)", "/api/v1/members/?cin={cin}", "/members/?cin={cin}", "api"),
    ("page_worklist", "page: authorization worklist", "/authorizations/", None, "session"),
    ("page_member_search", "page: member search by name", "/members/?name={name}", None, "session"),
    ("page_deadlines", "page: deadlines", "/deadlines/", None, "session"),
]  # fmt: skip
WRK_SCRIPT = """
local paths = %(paths)s
local counter = 0
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) counter = math.random(#paths); not_ok = 0 end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
-- wrk counts only 4xx and 5xx as errors: a redirect (to the login page) must count too.
response = function(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
done = function(summary, latency, requests)
  local e, bad = summary.errors, 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("not_ok") end
  io.write(string.format("BENCH {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50\\": %%d, \\"p95\\": %%d, \\"p99\\": %%d, \\"socket_errors\\": %%d, \\"not_200\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, bad))
end
"""


def prepare_database(name: str, *, members: int, requests: int, rebuild: bool) -> None:
    """Create the benchmark database unless one holds these sizes complete (one cut short is built
    anew; one of other sizes only with --rebuild), then migrate it: a reused database takes the
    migrations added since it was built."""
    import psycopg2

    from benchmarks.api_dataset import marker_sizes

    try:
        with psycopg2.connect(database_url(name)) as existing, existing.cursor() as cursor:
            sizes = marker_sizes(cursor)
        existing.close()
        exists = True
    except psycopg2.OperationalError:
        exists, sizes = False, None
    if exists and sizes is not None and sizes != (members, requests) and not rebuild:
        raise SystemExit(
            f"{name} holds {sizes[0]:,} members and {sizes[1]:,} requests: ask for those sizes or pass --rebuild."
        )
    if exists and (rebuild or sizes is None):
        print(f"{name}: {'rebuilding' if rebuild else 'incomplete, building anew'}")
        drop_database(name)
        exists = False
    if not exists:
        admin = psycopg2.connect(database_url("postgres"))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"],
        env={**os.environ, "DATABASE_URL": database_url(name)}, check=True,
    )  # fmt: skip


def drop_database(name: str) -> None:
    import psycopg2

    admin = psycopg2.connect(database_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def check_disk(members: int) -> None:
    # Measured: 518 MB at 1M members with their spans, 100k requests, their clocks and all indexes.
    need = members * 600 + 200 * 2**20
    free = shutil.disk_usage("/var/lib/postgresql" if Path("/var/lib/postgresql").exists() else "/").free
    print(f"disk: the dataset needs about {need / 2**30:.1f} GiB, {free / 2**30:.0f} GiB free")
    if free < 2 * need:
        raise SystemExit("Not enough free disk for the benchmark database (twice its size, for indexes and WAL).")


class Server:
    """A gunicorn master of ours, by its own pid; stopped with SIGTERM (it stops its workers)."""

    def __init__(self, name: str, app: str, env: dict, log_dir: Path):
        self.name, self.port = name, free_port()
        self.log = (log_dir / f"{name}.log").open("w")
        self.process = subprocess.Popen(
            [GUNICORN, app, "--workers", str(WORKERS), "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}",
             "--chdir", str(ROOT), "--log-level", "warning"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline, problem = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} server exited: {Path(self.log.name).read_text()[-3000:]}")
            try:
                status, _ = fetch(self.base + path, {})
                if status == 200:
                    return
                problem = f"status {status}"
            except OSError as error:
                problem = error
            time.sleep(0.3)
        raise SystemExit(f"{self.name} server did not answer within {timeout:.0f} s ({problem})")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to the login page, to https) is an answer to report, not to follow


def build_opener():
    return urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 -- our own loopback server
    try:
        with build_opener().open(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def set_cookies(headers) -> SimpleCookie:
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return jar


def login(server: Server) -> str:
    """The care coordinator logs in through the running project's login page (its CSRF check, axes
    and session start, under the server's own secret key); returns the session id."""
    from benchmarks.api_dataset import COORDINATOR, COORDINATOR_PASSWORD

    secure = {"X-Forwarded-Proto": "https"}
    first = urllib.request.Request(server.base + "/login/", headers=secure)  # noqa: S310 -- our loopback server
    with build_opener().open(first, timeout=60) as page:
        csrf = set_cookies(page.headers)["csrftoken"].value
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read()).group(1).decode()
    form = urlencode({"username": COORDINATOR, "password": COORDINATOR_PASSWORD, "csrfmiddlewaretoken": token})
    origin = f"https://127.0.0.1:{server.port}"
    headers = {**secure, "Cookie": f"csrftoken={csrf}", "Origin": origin, "Referer": origin + "/login/",
               "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    request = urllib.request.Request(server.base + "/login/", data=form.encode(), headers=headers)  # noqa: S310
    try:
        build_opener().open(request, timeout=60)
    except urllib.error.HTTPError as answer:
        cookies = set_cookies(answer.headers)
        if answer.code == 302 and "sessionid" in cookies:
            return cookies["sessionid"].value
        raise SystemExit(f"The care coordinator could not log in: {answer.code}") from None
    raise SystemExit("The care coordinator could not log in: the login page answered 200 (a form error)")


def deep_cursor(next_url: str, position: int) -> str:
    """The first page's `next` cursor moved to `position` on the primary key: the project's is "n."
    and the boundary's keys as base64 JSON, the baseline's (DRF's) a base64 query string."""
    cursor = parse_qs(urlsplit(next_url).query)["cursor"][0]
    direction, dot, boundary = cursor.partition(".")
    if dot:
        keys = json.loads(base64.urlsafe_b64decode(boundary + "=" * (-len(boundary) % 4)))
        if len(keys) != 1 or not isinstance(keys[0], int):
            raise SystemExit(f"The member list's cursor is not a position on the primary key: {keys}")
        return f"{direction}.{base64.urlsafe_b64encode(json.dumps([position]).encode()).decode().rstrip('=')}"
    fields = parse_qs(base64.b64decode(cursor.encode()).decode())
    if not fields.get("p", [""])[0].isdigit():
        raise SystemExit(f"The member list's cursor is not a position on the primary key: {fields}")
    fields["p"] = [str(position)]
    return base64.b64encode(urlencode(fields, doseq=True).encode()).decode()


def paths_for(template: str, samples: dict, deep: str) -> list[str]:
    if "{id}" in template:
        return [template.format(id=pk) for pk in samples["ids"]]
    if "{cin}" in template:
        return [template.format(cin=cin) for cin in samples["cins"]]
    if "{name}" in template:
        return [template.format(name=prefix) for prefix in samples["prefixes"]]
    return [template.format(deep=deep)]


def headers_for(auth: str, credentials: dict) -> dict:
    # Behind the TLS proxy the production settings expect (SECURE_PROXY_SSL_HEADER).
    headers = {"X-Forwarded-Proto": "https"}
    if auth == "api":
        headers["Authorization"] = f"Api-Key {credentials['api_key']}"
    elif auth == "session":
        headers["Cookie"] = f"sessionid={credentials['session']}"
    return headers


def wrk(server: Server, paths: list[str], headers: dict, seconds: int, work_dir: Path) -> dict:
    script = work_dir / "rotate.lua"
    script.write_text(WRK_SCRIPT % {"paths": "{" + ", ".join(json.dumps(p) for p in paths) + "}"})
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, server.base], capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line[len("BENCH ") :])
    return {
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "p50_ms": result["p50"] / 1000, "p95_ms": result["p95"] / 1000, "p99_ms": result["p99"] / 1000,
        "errors": result["socket_errors"] + result["not_200"],
    }  # fmt: skip


def count_queries(settings_module: str, env: dict, targets: list[dict]) -> dict:
    """Each endpoint's queries per request, counted in a fresh process of that project."""
    counted = child_answer(
        [PYTHON, __file__, "--count"], stdin=json.dumps(targets), env={**env, "DJANGO_SETTINGS_MODULE": settings_module},
        what=f"{settings_module}: counting queries",
    )  # fmt: skip
    wrong = {key: result["status"] for key, result in counted.items() if result["status"] != 200}
    if wrong:
        raise SystemExit(f"{settings_module}: not 200 in the test client: {wrong}")
    return counted


def count_mode() -> None:
    """--count: read the targets from stdin; ask each twice with the test client (the second is the
    steady state a warm worker serves) and print the second's queries and status."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    results = {}
    for target in json.loads(sys.stdin.read()):
        client = Client()
        headers = {k: v for k, v in target["headers"].items() if k != "Cookie"}
        if "Cookie" in target["headers"]:
            client.cookies["sessionid"] = target["headers"]["Cookie"].split("=", 1)[1]
        paths = target["paths"] * 2
        client.get(paths[0], headers=headers)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(paths[1], headers=headers)
        results[target["key"]] = {"queries": len(queries), "status": response.status_code}
    print(json.dumps(results))


def production_env(database: str) -> dict:
    return {
        **os.environ, "DJANGO_ENV": "production", "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "DATABASE_URL": database_url(database), "LOG_LEVEL": "WARNING",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
        "CELERY_QUEUE": os.environ.get("CELERY_QUEUE", "ecm-bench"),
        "DJANGO_SETTINGS_MODULE": "benchmarks.baseline.project_settings",
    }  # fmt: skip


def median(rows: list[dict], field: str) -> float:
    return statistics.median(row[field] for row in rows)


def summarize(runs: dict, queries: dict) -> list[dict]:
    table = []
    for key, label, *_ in ENDPOINTS:
        row = {"key": key, "work": label}
        for side in ("project", "baseline"):
            measured = runs[side].get(key)
            if not measured:
                row[side] = None
                continue
            row[side] = {field: median(measured, field) for field in ("rps", "p50_ms", "p95_ms", "p99_ms")}
            row[side]["rps_range"] = [min(r["rps"] for r in measured), max(r["rps"] for r in measured)]
            row[side]["errors"] = sum(r["errors"] for r in measured)
            row[side]["queries"] = queries[side].get(key, {}).get("queries")
        if row["project"] and row["baseline"] and row["project"]["rps"] and row["baseline"]["rps"]:
            row["throughput_share"] = row["project"]["rps"] / row["baseline"]["rps"]
            row["p95_ratio"] = row["project"]["p95_ms"] / row["baseline"]["p95_ms"]
        table.append(row)
    return table


def print_table(table: list[dict], meta: dict) -> None:
    print(
        f"\n{meta['members']:,} members, {meta['requests']:,} requests; gunicorn {WORKERS} sync workers each, "
        f"wrk -c{CONNECTIONS}, {meta['rounds']} rounds x {meta['duration']} s, medians (req/s range over the rounds)"
    )
    print("| work | this project | bare DRF, same run | ratio |")
    print("|---|---|---|---|")

    def cell(side):
        if side is None:
            return "—"
        if not side["rps"]:
            return f"no request finished within a round, {side['queries']} queries"
        low, high = side["rps_range"]
        text = f"{side['rps']:,.0f} req/s ({low:,.0f}-{high:,.0f}), p50 {side['p50_ms']:.1f} / p95 {side['p95_ms']:.1f} / p99 {side['p99_ms']:.1f} ms, {side['queries']} queries"
        return text + (f", {side['errors']} errors" if side["errors"] else "")

    for row in table:
        ratio = "—"
        if "throughput_share" in row:
            ratio = f"{1 / row['throughput_share']:.1f}x slower ({row['throughput_share']:.0%} of throughput), p95 {row['p95_ratio']:.1f}x"
        print(f"| {row['work']} | {cell(row['project'])} | {cell(row['baseline'])} | {ratio} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load per endpoint before the rounds")
    parser.add_argument("--json", type=Path, help="write the table as JSON here")
    parser.add_argument("--build-only", action="store_true", help="build (or check) the dataset and stop")
    parser.add_argument("--rebuild", action="store_true", help="drop the benchmark database and build it anew")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database at the end")
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per crossed scope
    if args.count:
        count_mode()
        return
    require_postgresql()
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[1] + "_api_bench"
    check_disk(args.members)
    prepare_database(database, members=args.members, requests=args.requests, rebuild=args.rebuild)
    os.environ["DATABASE_URL"] = database_url(database)
    try:
        run(args, database)
    finally:
        if args.drop:
            drop_database(database)


def run(args, database: str) -> None:
    import django

    django.setup()
    from benchmarks import api_dataset
    from ecm_platform.tenancy.models import HealthPlan
    from ecm_platform.tenancy.scoping import plan_scope

    dataset = api_dataset.ensure(members=args.members, requests=args.requests)
    verb = f"built in {dataset['seconds']:.0f} s" if dataset["built"] else "reused"
    print(f"database {database}: {args.members:,} members, {args.requests:,} requests, {verb}", flush=True)
    credentials = {"api_key": api_dataset.api_key(dataset["plan_id"])}
    if args.build_only:
        return
    with plan_scope(HealthPlan.objects.get(pk=dataset["plan_id"])):
        samples = api_dataset.samples(dataset["plan_id"])
    from django.db import connections

    connections.close_all()
    project_env = production_env(database)
    baseline_env = {
        **project_env,
        "BASELINE_PLAN_ID": str(dataset["plan_id"]),
        "DJANGO_SETTINGS_MODULE": "benchmarks.baseline.settings",
    }
    with tempfile.TemporaryDirectory() as folder:
        work_dir = Path(folder)
        project_env["BENCH_STATIC_ROOT"] = str(work_dir / "static")
        subprocess.run(
            [PYTHON, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"], env=project_env, check=True
        )
        servers = {}
        try:
            # One after the other: a port found free is only taken once its server binds it.
            servers["project"] = Server("project", "ecm_platform.wsgi:application", project_env, work_dir)
            servers["project"].wait_ready("/healthz/")
            servers["baseline"] = Server("baseline", "benchmarks.baseline.wsgi:application", baseline_env, work_dir)
            servers["baseline"].wait_ready(f"/members/{samples['ids'][0]}/")
            credentials["session"] = login(servers["project"])
            targets = build_targets(servers, credentials, samples)
            queries = {
                side: count_queries(module, env, targets[side])
                for side, module, env in (
                    # The server's secret key: the session's auth hash is keyed on it.
                    ("project", "ecm_platform.settings", {**os.environ, "SECRET_KEY": project_env["SECRET_KEY"]}),
                    ("baseline", "benchmarks.baseline.settings", baseline_env),
                )
            }
            runs = drive(servers, targets, args, work_dir)
        finally:
            for server in servers.values():
                server.stop()
    table = summarize(runs, queries)
    meta = {"members": args.members, "requests": args.requests, "rounds": args.rounds, "duration": args.duration}
    print_table(table, meta)
    if args.json:
        args.json.write_text(
            json.dumps({**meta, "workers": WORKERS, "connections": CONNECTIONS, "rows": table}, indent=2)
        )


def build_targets(servers: dict, credentials: dict, samples: dict) -> dict:
    """Every endpoint's rotating paths and headers, each path checked to answer 200 over HTTP first."""
    targets = {"project": [], "baseline": []}
    deep = {}
    for side, path in (("project", "/api/v1/members/"), ("baseline", "/members/")):
        status, body = fetch(servers[side].base + path, headers_for("api" if side == "project" else "", credentials))
        if status != 200:
            raise SystemExit(f"{side} {path} answered {status}: {body[:300]!r}")
        deep[side] = deep_cursor(json.loads(body)["next"], samples["middle_id"])
    for key, _, project_path, baseline_path, auth in ENDPOINTS:
        for side, template, by in (("project", project_path, auth), ("baseline", baseline_path, "")):
            if template is None:
                continue
            paths, headers = paths_for(template, samples, deep[side]), headers_for(by, credentials)
            for path in paths[:3]:
                status, body = fetch(servers[side].base + path, headers)
                if status != 200:
                    raise SystemExit(f"{side} {path} answered {status}: {body[:300]!r}")
            targets[side].append({"key": key, "paths": paths, "headers": headers})
    return targets


def drive(servers: dict, targets: dict, args, work_dir: Path) -> dict:
    """A warm-up per endpoint, then the rounds: per endpoint the project, then the baseline."""
    runs = {"project": {}, "baseline": {}}
    for side in ("project", "baseline"):
        for target in targets[side] if args.warmup else []:
            wrk(servers[side], target["paths"], target["headers"], args.warmup, work_dir)
    for number in range(1, args.rounds + 1):
        for key, *_ in ENDPOINTS:
            for side in ("project", "baseline"):
                target = next((t for t in targets[side] if t["key"] == key), None)
                if target is None:
                    continue
                result = wrk(servers[side], target["paths"], target["headers"], args.duration, work_dir)
                runs[side].setdefault(key, []).append(result)
                print(
                    f"  round {number} {key} {side}: {result['rps']:,.0f} req/s, p95 {result['p95_ms']:.1f} ms, {result['errors']} errors",
                    flush=True,
                )
    return runs


if __name__ == "__main__":
    main()
