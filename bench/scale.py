"""Scale: does a request cost more with a million users than with a thousand? And how does
PostgreSQL + Redis scale with workers? Run by hand (never in CI), e.g.::

    .venv/bin/python bench/scale.py                       # SQLite and PostgreSQL, 1 k vs 1 M
    .venv/bin/python bench/scale.py --large 200000 --backends sqlite --duration 3

Part 1, per backend (SQLite file; PostgreSQL at --postgres): two databases made the way an
operator makes them — `mfadesk demo`, then `mfadesk user import` of SMALL (1 000) and LARGE
(1 000 000) users and `mfadesk token import` of a token for each of them (the CSV imports of
`bench/csv_import.py`), plus, in each, the same number of users with a seeded token for the
verifications (a code is accepted once, so each verification needs a token of its own for the
current minute). Both are served at once (`mfadesk serve`, one worker each); `wrk` drives at
32 connections, in turn on each server (the order alternating every round, so that the
machine's other load falls on both alike):

- flips: `PATCH /v1/users/{id}/sidTokens/disable|enable` on the tokens of 256 users drawn at
  random from the imported ones (token by serial, user by id, audit append);
- lookups: `POST /v1/users/lookup` of 1 024 e-mails drawn at random (user by e-mail);
- verifications: one-step SECURID `/mfa/v1_1/authn/initialize`, each of its own user (user by
  e-mail, the user's credentials, the tokencode search, user event).

It prints, per scenario, p50 / p99 latency and req/s at each size, the p99 ratio LARGE ÷ SMALL,
and the server's CPU time per request (all its processes, from /proc).

Part 2 (PostgreSQL with Redis at --redis, unless --no-workers): the LARGE database served with
1, 2 and 4 workers in turn: req/s, CPU per request, the scaling efficiency (req/s ÷ (workers x
req/s at 1 worker)) and the resident memory of each worker process.

Before part 1 it prints the query plans of the hot statements on the LARGE SQLite database
(`EXPLAIN QUERY PLAN`) — any full scan of users, tokens or credentials shows there.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jwt
from authn import LUA as AUTHN_LUA
from authn import WRK_DONE_LUA, Scenario, Tenant, bodies, cpu_seconds, provision, serve
from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import make_url

from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.services.context import ServiceEnv
from mfadesk.store.database import Database

MFADESK = [sys.executable, "-m", "mfadesk"]
VERIFY = Scenario("no PIN", pins=False)
SCENARIOS = ("flips", "lookups", "verifications")

ADMIN_LUA = r"""
local counter = 1
local threads = {}
successes = 0
failures = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(args[2])
  mode = args[4]
  base = args[5]
  items = {}
  local index = 0
  for line in io.lines(args[1]) do
    if index % n == id - 1 then table.insert(items, line) end
    index = index + 1
  end
  headers = {["Authorization"] = "Bearer " .. args[3], ["Content-Type"] = "application/json",
             ["Accept"] = "application/json"}
  k = 0
end

function request()
  local item = items[k % #items + 1]
  local pass = math.floor(k / #items)
  k = k + 1
  if mode == "flips" then
    local user, serial = item:match("([^,]+),([^,]+)")
    local verb = (pass % 2 == 0) and "disable" or "enable"
    return wrk.format("PATCH", base .. "/v1/users/" .. user .. "/sidTokens/" .. verb, headers,
                      '{"tokenSerialNumber":"' .. serial .. '"}')
  end
  return wrk.format("POST", base .. "/v1/users/lookup", headers, '{"email":"' .. item .. '"}')
end

function response(status, headers, body)
  if status == 200 then successes = successes + 1 else failures = failures + 1 end
end

"""
ADMIN_LUA += WRK_DONE_LUA


@dataclass
class Figures:
    """One scenario on one server, added up over the rounds."""

    requests: int = 0
    good: int = 0
    bad: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.good / max(self.seconds, 1e-9)

    @property
    def cpu_us(self) -> float:
        return self.cpu / max(1, self.requests) * 1e6

    @property
    def p99(self) -> float:
        return statistics.median(self.p99_ms)

    @property
    def p50(self) -> float:
        return statistics.median(self.p50_ms)


@dataclass
class Site:
    """One database, its files, and (while it runs) its server."""

    label: str
    users: int
    url: str
    folder: Path
    port: int
    key: dict[str, str] = field(default_factory=dict)  # the demo help-desk admin's key file
    base: str = ""
    tenant: Tenant | None = None
    server: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "MFADESK_DATABASE_URL": self.url,
            "MFADESK_SECRET_KEY_FILE": str(self.folder / "secret.key"),
            "MFADESK_PUBLIC_URL": f"http://127.0.0.1:{self.port}",
            "MFADESK_RATE_LIMIT_PER_SECOND": "1000000",
            "MFADESK_RATE_LIMIT_BURST": "1000000",
            "MFADESK_AUTHN_RATE_LIMIT_PER_SECOND": "1000000",
            "MFADESK_AUTHN_RATE_LIMIT_BURST": "1000000",
        }


def run(env: dict[str, str], *args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [*MFADESK, *args], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"mfadesk {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def write_csvs(folder: Path, users: int) -> tuple[Path, Path]:
    people, tokens = folder / "users.csv", folder / "tokens.csv"
    numbers = list(range(users))
    random.shuffle(numbers)  # as a directory export comes: not sorted by e-mail
    with people.open("w", newline="") as p, tokens.open("w", newline="") as t:
        users_out, tokens_out = csv.writer(p), csv.writer(t)
        users_out.writerow(["emailAddress", "firstName", "lastName"])
        tokens_out.writerow(["tokenSerialNumber", "emailAddress", "seed"])
        for index in numbers:
            email = f"user{index:07d}@example.com"
            users_out.writerow([email, "First", f"Last {index}"])
            tokens_out.writerow([f"8{index:011d}", email, os.urandom(16).hex()])
    return people, tokens


def fresh_postgres(server: str, name: str, settings: list[str]) -> str:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        for setting in settings:  # e.g. synchronous_commit=off, to see what a commit waits for
            key, value = setting.split("=", 1)
            connection.execute(text(f'ALTER DATABASE "{name}" SET {key} = {value}'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_postgres(server: str, url: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def prepare(site: Site, slices: int, per_slice: int, number: int) -> None:
    """demo, the CSV imports, the verification users; the admin JWT; the sampled targets."""
    started = time.perf_counter()
    site.folder.mkdir(parents=True, exist_ok=True)
    env = site.env
    run(env, "demo", "--keys-dir", str(site.folder / "keys"))
    people, tokens = write_csvs(site.folder, site.users)
    run(env, "user", "import", str(people), "--company", "Demo Company")
    run(env, "token", "import", str(tokens), "--company", "Demo Company")
    keys = ServiceEnv(keys=load_or_create_server_keys(site.folder / "secret.key"))
    db = Database(site.url)
    try:
        site.tenant = provision(db, keys, number, VERIFY, slices, per_slice)
    finally:
        db.close()
    key = json.loads((site.folder / "keys" / "help-desk-admin.key").read_text())
    site.key = key
    site.base = urlsplit(key["adminRestApiUrl"]).path.rstrip("/")
    sample(site)
    settle(site.url)
    print(f"  {site.label}: ready in {time.perf_counter() - started:.0f} s", flush=True)


def settle(url: str) -> None:
    """What follows a bulk load before it is measured (an operator's maintenance, or what
    autovacuum and the next checkpoint do on their own a while later): fresh statistics, the
    visibility map set, the WAL checkpointed — else the first minutes of the measurement are
    of autovacuum and checkpoint I/O."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("VACUUM ANALYZE"))
            connection.execute(text("CHECKPOINT"))
        else:
            connection.execute(text("ANALYZE"))
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()


def sample(site: Site) -> None:
    """256 (user id, serial) pairs for the flips and 1 024 e-mails for the lookups, drawn at
    random from the imported users."""
    engine = create_engine(site.url)
    picks = random.sample(range(site.users), min(site.users, 1024))
    emails = [f"user{index:07d}@example.com" for index in picks]
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT u.id, t.serial FROM users u JOIN hardware_tokens t ON t.user_id = u.id "
                "WHERE u.email IN :emails"
            ).bindparams(bindparam("emails", expanding=True)),
            {"emails": emails[:256]},
        ).all()
    engine.dispose()
    (site.folder / "flips.txt").write_text("".join(f"{r.id},{r.serial}\n" for r in rows))
    (site.folder / "lookups.txt").write_text("".join(f"{e}\n" for e in emails))


def mint(key: dict[str, str]) -> str:
    """A JWT for the admin API, good for the next 50 minutes (at most an hour is accepted)."""
    now = time.time()
    claims = {"sub": key["accessID"], "aud": key["adminRestApiUrl"], "iat": now, "exp": now + 3000}
    return jwt.encode(claims, key["accessKey"], algorithm="RS256")


def wrk(site: Site, scenario: str, slice_index: int, args: argparse.Namespace) -> Figures:
    """One wrk run on the site's server."""
    assert site.server is not None and site.tenant is not None
    work = site.folder
    if scenario == "verifications":
        lines = work / "bodies.jsonl"
        bodies(VERIFY, site.tenant.slices[slice_index], lines)
        script = work / "authn.lua"
        script.write_text(AUTHN_LUA)
        extra = [str(lines), str(args.threads), site.tenant.client_key, VERIFY.answer]
    else:
        script = work / "admin.lua"
        script.write_text(ADMIN_LUA)
        token = mint(site.key)
        extra = [str(work / f"{scenario}.txt"), str(args.threads), token, scenario, site.base]
    cpu_before = cpu_seconds(site.server.pid)
    done = subprocess.run(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
         "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{site.port}", "--", *extra],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    cpu = cpu_seconds(site.server.pid) - cpu_before
    found = re.search(r"RESULT (\{.*\})", done.stdout)
    if found is None:
        raise SystemExit(f"wrk said:\n{done.stdout}\n{done.stderr}")
    result = json.loads(found.group(1))
    if scenario == "verifications" and result["requests"] > len(site.tenant.slices[slice_index]):
        print(f"  note: {site.label}: more verifications than users (raise --verify-users)")
    return Figures(
        requests=result["requests"],
        good=result["successes"],
        bad=result["failures"] + result["errors"],
        seconds=result["duration_us"] / 1e6,
        cpu=cpu,
        p50_ms=[result["p50_us"] / 1000],
        p99_ms=[result["p99_us"] / 1000],
    )


def add(total: Figures, one: Figures) -> None:
    total.requests += one.requests
    total.good += one.good
    total.bad += one.bad
    total.seconds += one.seconds
    total.cpu += one.cpu
    total.p50_ms += one.p50_ms
    total.p99_ms += one.p99_ms


def start(site: Site, workers: int, extra_env: dict[str, str] | None = None) -> None:
    env = {**site.env, "MFADESK_WORKERS": str(workers), **(extra_env or {})}
    site.server = serve(env, site.port, workers)


def stop(site: Site) -> None:
    if site.server is not None:
        site.server.send_signal(signal.SIGTERM)
        site.server.wait(timeout=60)
        site.server = None


def worker_rss_mib(root: int) -> list[float]:
    """Resident memory of each worker process (the server itself when it has none)."""
    found: dict[int, float] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        pid, parent = int(status.parent.name), int(fields["PPid"].strip())
        if (parent == root or pid == root) and "VmRSS" in fields:
            found[pid] = int(fields["VmRSS"].split()[0]) / 1024
    workers = [rss for pid, rss in found.items() if pid != root and _is_worker(pid)]
    return workers or [found.get(root, 0.0)]


def _is_worker(pid: int) -> bool:
    """uvicorn's workers, not multiprocessing's resource tracker beside them."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def plans(url: str) -> None:
    """EXPLAIN QUERY PLAN of the statements behind the hot paths, on the large SQLite file."""
    statements = {
        "user by e-mail": "SELECT * FROM users WHERE company_id = 'x' AND email = 'y'",
        "user by id": "SELECT * FROM users WHERE id = 'x' AND company_id = 'y'",
        "user by username": "SELECT * FROM users WHERE company_id = 'x' "
        "AND lower(principal_username) = 'y' LIMIT 2",
        "token by serial": "SELECT * FROM hardware_tokens WHERE serial = 'x'",
        "tokens of a user": "SELECT * FROM hardware_tokens WHERE user_id = 'x'",
        "codes of a user": "SELECT * FROM emergency_tokencodes WHERE user_id = 'x' "
        "AND status = 'ENABLED'",
        "DS100 of a user": "SELECT * FROM ds100_devices WHERE user_id = 'x'",
        "user events by company": "SELECT * FROM user_events WHERE company_id = 'x' "
        "ORDER BY occurred_at LIMIT 10",
    }
    path = make_url(url).database
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        for name, statement in statements.items():
            plan = " / ".join(r[3] for r in connection.execute(f"EXPLAIN QUERY PLAN {statement}"))
            flag = "  <-- full scan" if re.search(r"\bSCAN\b(?! .* USING)", plan) else ""
            print(f"    {name:<24} {plan}{flag}")


def side_by_side(sites: list[Site], args: argparse.Namespace) -> dict[tuple[str, str], Figures]:
    """Part 1: both sites served at once, each scenario on each in turn, every round."""
    totals = {(s.label, scenario): Figures() for s in sites for scenario in SCENARIOS}
    for site in sites:
        start(site, 1)
    try:
        for index in range(args.rounds):
            order = sites if index % 2 == 0 else list(reversed(sites))
            for scenario in SCENARIOS:
                for site in order:
                    add(totals[(site.label, scenario)], wrk(site, scenario, index, args))
    finally:
        for site in sites:
            stop(site)
    return totals


def report(backend: str, sites: list[Site], totals: dict[tuple[str, str], Figures]) -> None:
    small, large = sites
    print(f"\n{backend}: p99 at {large.users:,} users vs {small.users:,} (32 connections)")
    print(f"  {'scenario':<14} {'p50 ms':>13} {'p99 ms':>13} {'p99 ratio':>9} {'req/s':>13}"
          f" {'CPU µs/req':>13}  non-2xx")  # fmt: skip
    for scenario in SCENARIOS:
        a, b = totals[(small.label, scenario)], totals[(large.label, scenario)]
        print(
            f"  {scenario:<14} {a.p50:5.1f} / {b.p50:5.1f} {a.p99:5.1f} / {b.p99:5.1f}"
            f" {b.p99 / a.p99:9.2f} {a.rate:5.0f} / {b.rate:5.0f} {a.cpu_us:5.0f} / {b.cpu_us:5.0f}"
            f"  {a.bad} / {b.bad}"
        )


def workers_part(site: Site, args: argparse.Namespace) -> None:
    """Part 2: PostgreSQL + Redis, 1, 2, 4 workers, one after the other. With --audit-links,
    the flips are also run with each audit link mode, alternating, on the same database."""
    counts = [int(n) for n in args.workers.split(",")]
    links = [link for link in args.audit_links.split(",") if link]
    results: dict[tuple[int, str], Figures] = {}
    by_link: dict[tuple[int, str], Figures] = {}
    memory: dict[int, list[float]] = {}
    slice_index = args.rounds  # the verification users after part 1's
    for workers in counts:
        start(site, workers, {"MFADESK_REDIS_URL": args.redis})
        try:
            for scenario in SCENARIOS:
                results[(workers, scenario)] = wrk(site, scenario, slice_index, args)
            assert site.server is not None
            memory[workers] = worker_rss_mib(site.server.pid)
        finally:
            stop(site)
        slice_index += 1
        for index in range(args.rounds if links else 0):
            for link in links if index % 2 == 0 else list(reversed(links)):
                start(site, workers, {"MFADESK_REDIS_URL": args.redis, "MFADESK_AUDIT_LINK": link})
                try:
                    add(by_link.setdefault((workers, link), Figures()), wrk(site, "flips", 0, args))
                finally:
                    stop(site)
    print(f"\nPostgreSQL + Redis, {site.users:,} users: workers 1 / 2 / 4 (32 connections)")
    for scenario in SCENARIOS:
        base = results[(counts[0], scenario)].rate
        cells = []
        for workers in counts:
            f = results[(workers, scenario)]
            efficiency = f.rate / max(base * workers / counts[0], 1e-9)
            cells.append(
                f"{workers}w {f.rate:5.0f}/s eff {efficiency:4.2f} CPU {f.cpu_us:5.0f} µs"
                f" p99 {f.p99:5.1f} ms"
            )
        print(f"  {scenario:<14} " + " | ".join(cells))
    for workers in counts:
        rss = memory[workers]
        print(f"  {workers} worker(s): RSS per worker {statistics.mean(rss):.0f} MiB "
              f"({', '.join(f'{r:.0f}' for r in rss)})")  # fmt: skip
    if links:
        print(f"\nflips by MFADESK_AUDIT_LINK, {args.rounds} alternating rounds each")
        for link in links:
            cells = []
            for workers in counts:
                f = by_link[(workers, link)]
                base = by_link[(counts[0], link)].rate
                efficiency = f.rate / max(base * workers / counts[0], 1e-9)
                cells.append(
                    f"{workers}w {f.rate:5.0f}/s eff {efficiency:4.2f} CPU {f.cpu_us:5.0f} µs"
                    f" p50 {f.p50:5.1f} p99 {f.p99:5.1f} ms {f.bad} bad"
                )
            print(f"  {link:<14} " + " | ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--workers", default="1,2,4", help="part 2 (PostgreSQL); '' skips it")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--verify-users", type=int, default=0, help="per run (default: enough)")
    parser.add_argument("--port", type=int, default=18900)
    parser.add_argument(
        "--pg-set", action="append", default=[], help="NAME=VALUE for the databases (repeatable)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases")
    parser.add_argument(
        "--audit-links",
        default="",
        help="part 2 also runs the flips with each MFADESK_AUDIT_LINK, e.g. inline,after-commit",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    per_slice = args.verify_users or 900 * args.duration
    worker_counts = [n for n in args.workers.split(",") if n]
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="mfadesk-scale-") as scratch:
        root = Path(scratch)
        for number, backend in enumerate(args.backends.split(",")):
            sites: list[Site] = []
            made: list[str] = []
            try:
                for offset, users in enumerate((args.small, args.large)):
                    label = f"{backend}-{users}"
                    folder = root / label
                    if backend == "sqlite":
                        url = f"sqlite:///{folder / 'mfadesk.db'}"
                    else:
                        url = fresh_postgres(args.postgres, f"mfadesk_scale_{users}", args.pg_set)
                        made.append(url)
                    port = args.port + number * 10 + offset
                    sites.append(Site(label, users, url, folder, port))
                print(f"{backend}: importing {args.small:,} and {args.large:,} users…", flush=True)
                for index, site in enumerate(sites):
                    slices = args.rounds + (
                        len(worker_counts) if backend == "postgres" and index == 1 else 0
                    )
                    prepare(site, slices, per_slice, 100 + number * 10 + index)
                if backend == "sqlite":
                    print(f"  query plans on {sites[1].users:,} users:")
                    plans(sites[1].url)
                print(f"  load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
                report(backend, sites, side_by_side(sites, args))
                if backend == "postgres" and worker_counts:
                    workers_part(sites[1], args)
            finally:
                if not args.keep:
                    for url in made:
                        drop_postgres(args.postgres, url)
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
