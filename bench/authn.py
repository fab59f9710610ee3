"""Authentication throughput: one-step ``SECURID`` initialize calls at 32 connections.

Run by hand (not in CI), e.g. ``make bench-authn`` or::

    .venv/bin/python bench/authn.py --workers 2 --duration 20

What it does: provisions a tenant of N users, each with a SID700 token whose seed the bench
knows (through the same services as ``mfadesk user add`` / ``token add --seed``), creates an
authentication key, starts ``mfadesk serve`` as its own process, computes one fresh passcode
per user for the current minute, and has ``wrk`` send each passcode once in a one-step
``/mfa/v1_1/authn/initialize``. Every request is a full verification (key lookup, user, locked
credential rows, AES tokencode search, state update, user event) — a code is accepted once, so
the bench gives every request its own token.

Why ``wrk``: the machine has two cores shared with the server; wrk (C, epoll, one Lua state per
thread) needs a small fraction of a core for thousands of requests per second, where a Python
client at 32 connections would itself eat a core and measure itself. ``wrk`` counts SUCCESS
answers in a Lua response hook, so throughput is of *accepted* verifications, not just replies.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.otp.tokencodes import TokenGenerator
from mfadesk.services.authn_keys import create_authn_key
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
  if status == 200 and string.find(body, '"attemptResponseCode":"SUCCESS"', 1, true) then
    successes = successes + 1
  else
    failures = failures + 1
  end
end

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


def provision(url: str, key_file: Path, users: int) -> tuple[str, list[tuple[str, str, bytes]]]:
    """N users with a seeded, assigned token each, and an authentication key."""
    env = ServiceEnv(keys=load_or_create_server_keys(key_file))
    db = Database(url)
    upgrade(db.engine)
    people: list[tuple[str, str, bytes]] = []
    batch = 500
    try:
        for start in range(0, users, batch):
            with db.unit_of_work() as uow:
                op = Operator.start(env)
                company = ensure_company(uow, op, "Bench")
                for index in range(start, min(users, start + batch)):
                    email, serial = f"user{index}@bench.example", f"{900000000000 + index}"
                    seed = os.urandom(16)
                    add_user(uow, op, company, email)
                    add_hardware_token(uow, op, company, serial, email, TokenSeed(seed))
                    people.append((email, serial, seed))
        with db.unit_of_work() as uow:
            op = Operator.start(env)
            _, client_key = create_authn_key(uow, op, ensure_company(uow, op, "Bench"), "bench")
    finally:
        db.close()
    return client_key, people


def bodies(people: list[tuple[str, str, bytes]], path: Path) -> None:
    """One JSON body per line: each user's passcode for the current minute."""
    now = int(time.time())
    with path.open("w") as handle:
        for email, serial, seed in people:
            body = {
                "clientId": "bench",
                "subjectName": email,
                "subjectCredentials": [
                    {
                        "methodId": "SECURID",
                        "collectedInputs": [
                            {"name": "SECURID", "value": TokenGenerator(seed, serial).at(now)}
                        ],
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=20, help="seconds (at most 50)")
    parser.add_argument("--users", type=int, default=0, help="default: enough for the run")
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    if args.duration > 50:
        raise SystemExit("codes are for the current minute: keep --duration at most 50")
    users = args.users or 1500 * args.duration
    with tempfile.TemporaryDirectory(prefix="mfadesk-bench-") as scratch:
        work = Path(scratch)
        url = args.database_url or f"sqlite:///{work / 'bench.db'}"
        env = {
            **os.environ,
            "MFADESK_DATABASE_URL": url,
            "MFADESK_SECRET_KEY_FILE": str(work / "secret.key"),
            "MFADESK_PUBLIC_URL": f"http://127.0.0.1:{args.port}",
            # One key sends everything here: measure the server, not the key's token bucket.
            "MFADESK_AUTHN_RATE_LIMIT_PER_SECOND": "1000000",
            "MFADESK_AUTHN_RATE_LIMIT_BURST": "1000000",
        }
        print(f"provisioning {users} users with a seeded SID700 token each…", flush=True)
        client_key, people = provision(url, work / "secret.key", users)
        server = serve(env, args.port, args.workers)
        try:
            lines = work / "bodies.jsonl"
            bodies(people, lines)
            script = work / "authn.lua"
            script.write_text(LUA)
            run = subprocess.run(
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
                    client_key,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    found = re.search(r"RESULT (\{.*\})", run.stdout)
    if found is None:
        raise SystemExit(f"wrk said:\n{run.stdout}\n{run.stderr}")
    result = json.loads(found.group(1))
    seconds = result["duration_us"] / 1e6
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"SECURID one-step initialize, {backend}, {args.workers} worker(s), "
        f"{args.connections} connections, {seconds:.1f} s"
    )
    print(f"  accepted verifications/s: {result['successes'] / seconds:8.1f}")
    print(f"  responses/s:              {result['requests'] / seconds:8.1f}")
    print(f"  refused (FAIL)/errors:    {result['failures']} / {result['errors']}")
    print(
        f"  latency p50 / p90 / p99:  {result['p50_us'] / 1000:.1f} / "
        f"{result['p90_us'] / 1000:.1f} / {result['p99_us'] / 1000:.1f} ms"
    )
    if result["requests"] > len(people):
        print("  note: more requests than users: the surplus were replays (refused)")


if __name__ == "__main__":
    main()
