"""Authentication throughput: one-step ``SECURID`` initialize calls at 32 connections, without
and with PINs, side by side in one run.

Run by hand (not in CI), e.g. ``make bench-authn`` or::

    .venv/bin/python bench/authn.py --workers 1 --slices 4 --duration 5
    .venv/bin/python bench/authn.py --failures   # also: wrong PIN beside wrong tokencode

Scenarios: "no PIN" (PINs optional, the tokencode alone) and "PIN" (every token has a PIN:
PIN + tokencode); with ``--failures`` also "wrong tokencode" and "wrong PIN" (every passcode
refused: a wrong PIN must cost what a wrong tokencode does). Each scenario has a company of its
own in one database, served by one server; ``wrk`` drives the scenarios in turn, a slice of
``--duration`` seconds each, ``--slices`` times (the order alternating), so that what else the
machine does at the time falls on all of them alike.

What it does: provisions, per scenario and slice, users with a SID700 token each whose seed the
bench knows (through the same services as ``mfadesk user add`` / ``token add --seed``; PINs as
New PIN mode stores them), an authentication key per scenario, starts ``mfadesk serve`` as its
own process, and before each slice computes one passcode per user of that slice for the current
minute, which ``wrk`` sends once in a one-step ``/mfa/v1_1/authn/initialize``. Every request is a
full verification (key lookup, user, locked credential rows, PIN digest and AES tokencode
search, state update, user event) — a code is accepted once, so every request has its own token.

It reports the expected answers per second and the server's CPU time per answer (all its
processes, from ``/proc``: far less sensitive than answers/s to the machine's other load), each
as a ratio to "no PIN", and the median of the slices' p50 / p99 latencies.

Why ``wrk``: the machine has two cores shared with the server; wrk (C, epoll, one Lua state per
thread) needs a small fraction of a core for thousands of requests per second, where a Python
client at 32 connections would itself eat a core and measure itself. ``wrk`` counts the expected
answers in a Lua response hook, so throughput is of *accepted* (or refused) verifications, not
just replies.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from mfadesk.domain.pins import PinPolicy
from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.otp.tokencodes import TokenGenerator
from mfadesk.services.authn_keys import create_authn_key
from mfadesk.services.authn_new_pin import seal_pin
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import (
    Operator,
    TokenSeed,
    add_hardware_token,
    add_user,
    ensure_company,
)
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade

LUA = r"""
local counter = 1
local threads = {}
-- Globals, not locals: done() reads them from each thread with thread:get().
bodies = {}
successes = 0
failures = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(args[2])
  expected = '"attemptResponseCode":"' .. args[4] .. '"'
  local index = 0
  for line in io.lines(args[1]) do
    if index % n == id - 1 then table.insert(bodies, line) end
    index = index + 1
  end
  next_body = 1
  headers = {["Content-Type"] = "application/json", ["client-key"] = args[3]}
end

function request()
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/mfa/v1_1/authn/initialize", headers, body)
end

function response(status, headers, body)
  if status == 200 and string.find(body, expected, 1, true) then
    successes = successes + 1
  else
    failures = failures + 1
  end
end

"""

# wrk's summary line, shared by the benches that drive wrk (scale.py too).
WRK_DONE_LUA = r"""
function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("successes")
    bad = bad + thread:get("failures")
  end
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "successes": %d, "failures": %d, ' ..
    '"errors": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, ok, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""
LUA += WRK_DONE_LUA


PIN, WRONG_PIN = "2468", "1357"
Person = tuple[str, str, bytes]  # e-mail, token serial, seed


@dataclass(frozen=True)
class Scenario:
    name: str
    pins: bool  # every token has a PIN (else PINs are optional and the tokencode comes alone)
    wrong: str | None = None  # "pin" or "tokencode": every passcode is refused for that
    answer: str = "SUCCESS"  # what every request should get


SCENARIOS = (Scenario("no PIN", pins=False), Scenario("PIN", pins=True))
FAILURES = (
    Scenario("wrong tokencode", pins=True, wrong="tokencode", answer="FAIL"),
    Scenario("wrong PIN", pins=True, wrong="pin", answer="FAIL"),
)


@dataclass
class Tenant:
    """A scenario's company: its agent key, and its users in slices (one slice per wrk run)."""

    client_key: str
    slices: list[list[Person]]


@dataclass
class Totals:
    """What the slices of one scenario add up to."""

    answers: int = 0  # the expected ones
    others: int = 0  # other answers, and errors
    seconds: float = 0.0
    requests: int = 0
    cpu: float = 0.0
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.answers / self.seconds

    @property
    def cpu_us(self) -> float:
        return self.cpu / max(1, self.requests) * 1e6


def provision(
    db: Database, env: ServiceEnv, number: int, scenario: Scenario, slices: int, per_slice: int
) -> Tenant:
    """The scenario's company, users with a seeded, assigned token each (with a PIN in the PIN
    scenarios), and an authentication key."""
    company_name = f"Bench {number} ({scenario.name})"
    people: list[Person] = []
    batch = 500
    total = slices * per_slice
    for start in range(0, total, batch):
        with db.unit_of_work() as uow:
            op = Operator.start(env)
            company = ensure_company(uow, op, company_name)
            if not scenario.pins:
                uow.companies.save_pin_policy(company.id, PinPolicy(required=False))
            for index in range(start, min(total, start + batch)):
                email = f"user{index}@scenario{number}.bench.example"
                serial = f"{900000000000 + number * 10_000_000 + index}"
                seed = os.urandom(16)
                add_user(uow, op, company, email)
                add_hardware_token(uow, op, company, serial, email, TokenSeed(seed))
                if scenario.pins:
                    stored = seal_pin(env, serial, PIN)
                    uow.securid_credentials.set_pin(CredentialKind.SID700, serial, stored)
                people.append((email, serial, seed))
    with db.unit_of_work() as uow:
        op = Operator.start(env)
        _, client_key = create_authn_key(uow, op, ensure_company(uow, op, company_name), "bench")
    return Tenant(client_key, [people[i * per_slice : (i + 1) * per_slice] for i in range(slices)])


def passcode(scenario: Scenario, serial: str, seed: bytes, now: int) -> str:
    code = TokenGenerator(seed, serial).at(now)
    if scenario.wrong == "tokencode":
        code = f"{(int(code) + 1) % 10**6:06d}"
    if not scenario.pins:
        return code
    return (WRONG_PIN if scenario.wrong == "pin" else PIN) + code


def bodies(scenario: Scenario, people: list[Person], path: Path) -> None:
    """One JSON body per line: each user's passcode for the current minute."""
    now = int(time.time())
    with path.open("w") as handle:
        for email, serial, seed in people:
            value = passcode(scenario, serial, seed, now)
            body = {
                "clientId": "bench",
                "subjectName": email,
                "subjectCredentials": [
                    {
                        "methodId": "SECURID",
                        "collectedInputs": [{"name": "SECURID", "value": value}],
                    }
                ],
                "context": {"messageId": str(uuid.uuid4())},
            }
            handle.write(json.dumps(body, separators=(",", ":")) + "\n")


def serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "mfadesk", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/mfa/v1_1/authn/resources", timeout=2)
            return server
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) of the server and its worker processes so far."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that just ended
        if int(stat.parent.name) == root or int(fields[1]) == root:  # itself, or a worker
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def drive(
    scenario: Scenario,
    tenant: Tenant,
    people: list[Person],
    server: subprocess.Popen[bytes],
    work: Path,
    args: argparse.Namespace,
    totals: Totals,
) -> None:
    """One slice: wrk sends each of these users' passcodes once (for the current minute)."""
    lines, script = work / "bodies.jsonl", work / "authn.lua"
    bodies(scenario, people, lines)
    script.write_text(LUA)
    cpu_before = cpu_seconds(server.pid)
    done = subprocess.run(
        [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{args.port}",
            "--",
            str(lines),
            str(args.threads),
            tenant.client_key,
            scenario.answer,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    cpu = cpu_seconds(server.pid) - cpu_before
    found = re.search(r"RESULT (\{.*\})", done.stdout)
    if found is None:
        raise SystemExit(f"wrk said:\n{done.stdout}\n{done.stderr}")
    result = json.loads(found.group(1))
    if result["requests"] > len(people):
        print(f"  note: {scenario.name}: more requests than users (give --users more)")
    totals.answers += result["successes"]
    totals.others += result["failures"] + result["errors"]
    totals.seconds += result["duration_us"] / 1e6
    totals.requests += result["requests"]
    totals.cpu += cpu
    totals.p50_ms.append(result["p50_us"] / 1000)
    totals.p99_ms.append(result["p99_us"] / 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=5, help="seconds per slice (at most 50)")
    parser.add_argument("--slices", type=int, default=4, help="slices per scenario")
    parser.add_argument("--users", type=int, default=0, help="per slice (default: enough)")
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--failures", action="store_true", help="also wrong PIN / tokencode")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    if args.duration > 50:
        raise SystemExit("codes are for the current minute: keep --duration at most 50")
    per_slice = args.users or 1500 * args.duration
    scenarios = SCENARIOS + (FAILURES if args.failures else ())
    with tempfile.TemporaryDirectory(prefix="mfadesk-bench-") as scratch:
        work = Path(scratch)
        url = args.database_url or f"sqlite:///{work / 'bench.db'}"
        env = {
            **os.environ,
            "MFADESK_DATABASE_URL": url,
            "MFADESK_SECRET_KEY_FILE": str(work / "secret.key"),
            "MFADESK_PUBLIC_URL": f"http://127.0.0.1:{args.port}",
            # One key per scenario sends everything: measure the server, not the key's bucket.
            "MFADESK_AUTHN_RATE_LIMIT_PER_SECOND": "1000000",
            "MFADESK_AUTHN_RATE_LIMIT_BURST": "1000000",
        }
        service_env = ServiceEnv(keys=load_or_create_server_keys(work / "secret.key"))
        db = Database(url)
        upgrade(db.engine)
        first = int(time.time()) % 1000  # a PostgreSQL database may hold earlier runs' users
        try:
            tenants = {}
            for number, scenario in enumerate(scenarios, start=first * 10):
                print(f"[{scenario.name}] provisioning {args.slices} x {per_slice} users…")
                tenants[scenario] = provision(
                    db, service_env, number, scenario, args.slices, per_slice
                )
        finally:
            db.close()
        server = serve(env, args.port, args.workers)
        totals = {scenario: Totals() for scenario in scenarios}
        loads = []
        try:
            for index in range(args.slices):
                order = scenarios if index % 2 == 0 else tuple(reversed(scenarios))
                loads.append(os.getloadavg()[0])
                for scenario in order:
                    tenant = tenants[scenario]
                    drive(
                        scenario, tenant, tenant.slices[index], server, work, args, totals[scenario]
                    )
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    base = totals[SCENARIOS[0]]
    print(
        f"SECURID one-step initialize, {backend}, {args.workers} worker(s), "
        f"{args.connections} connections, {args.slices} x {args.duration} s per scenario, "
        f"load average {min(loads):.1f}..{max(loads):.1f}"
    )
    print(f"  {'scenario':<16} {'answer':<7} {'answers/s':>9} {'ratio':>6} {'CPU µs':>7} "
          f"{'ratio':>6}  p50 / p99 ms (median)  other answers")  # fmt: skip
    for scenario in scenarios:
        t = totals[scenario]
        print(
            f"  {scenario.name:<16} {scenario.answer:<7} {t.rate:9.1f} {t.rate / base.rate:6.2f}"
            f" {t.cpu_us:7.0f} {t.cpu_us / base.cpu_us:6.2f}"
            f"  {statistics.median(t.p50_ms):5.1f} / {statistics.median(t.p99_ms):6.1f}"
            f"          {t.others}"
        )


if __name__ == "__main__":
    main()
