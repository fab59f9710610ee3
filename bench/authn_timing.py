"""Authentication timing: does a refused ``/mfa`` call take as long for a real user as for anyone?

Run by hand (not in CI), e.g. ``make bench-authn-timing`` or::

    .venv/bin/python bench/authn_timing.py --requests 2000

Every answer below is the same uniform ``FAIL``; only its latency could tell the cases apart
(user enumeration). The bench provisions, through the same services as ``mfadesk user add`` /
``token add --seed``, one user per case, starts ``mfadesk serve`` (one worker) as its own
process, and sends one-step ``SECURID`` initialize calls on one keep-alive connection: each round
one call per case, in a fresh random order, all with the same wrong code. It prints each case's
median latency and its ratio to the real user's.

The lockout threshold is raised so that the real user (and the credential-less ones, whose
failures count too) never get locked during the run; the locked cases are locked by hand.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.domain.lockout import Lockout
from mfadesk.domain.securid_credentials import VerificationState
from mfadesk.domain.users import UserStatus
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

LOCKOUT_FAILURES = 1_000_000
# (label, subject) in the order printed; the first is what the others are compared with.
CASES = (
    ("real user, wrong code", "real@bench.example"),
    ("unknown user", "nobody@bench.example"),
    ("locked user", "locked@bench.example"),
    ("user without credentials", "bare@bench.example"),
    ("disabled token", "disabled-token@bench.example"),
    ("locked token", "locked-token@bench.example"),
    ("disabled user", "disabled@bench.example"),
)


def provision(url: str, key_file: Path) -> tuple[str, TokenGenerator]:
    """The users of CASES (but the unknown one), an authentication key, and the real user's
    token (so that the wrong code is never right by chance)."""
    env = ServiceEnv(keys=load_or_create_server_keys(key_file))
    db = Database(url)
    upgrade(db.engine)
    locked = Lockout(LOCKOUT_FAILURES, datetime.now(UTC) + timedelta(days=1))
    try:
        with db.unit_of_work() as uow:
            op = Operator.start(env)
            company = ensure_company(uow, op, "Bench")
            for serial, email in enumerate(
                ("real", "locked", "disabled-token", "locked-token", "disabled"), 900000000001
            ):
                user = add_user(uow, op, company, f"{email}@bench.example")
                seed = TokenSeed(os.urandom(16))
                token = add_hardware_token(uow, op, company, str(serial), user.email, seed)
                if email == "real":
                    real_token = TokenGenerator(seed.seed, str(serial))
                elif email == "locked":
                    uow.users.save_authn_lockout(user.id, locked)
                elif email == "disabled-token":
                    uow.hardware_tokens.save_status(replace(token, status=TokenStatus.DISABLED))
                elif email == "locked-token":
                    (credential,) = uow.securid_credentials.of_user(company.id, user.id)
                    state = VerificationState(lockout=locked)
                    uow.securid_credentials.save_state(credential, state)
                elif email == "disabled":
                    uow.users.save(replace(user, status=UserStatus.DISABLED))
            add_user(uow, op, company, "bare@bench.example")
            _, client_key = create_authn_key(uow, op, company, "bench")
    finally:
        db.close()
    return client_key, real_token


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "mfadesk", "serve", "--port", str(port), "--workers", "1"],
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


def body(subject: str, code: str) -> dict[str, object]:
    return {
        "clientId": "bench",
        "subjectName": subject,
        "subjectCredentials": [
            {"methodId": "SECURID", "collectedInputs": [{"name": "SECURID", "value": code}]}
        ],
        "context": {"messageId": str(uuid.uuid4())},
    }


def wrong_code(real_token: TokenGenerator) -> str:
    """A random code the real user's token shows nowhere near now (not even ±4 minutes)."""
    now = int(time.time())
    near = {real_token.at(now + minutes * 60) for minutes in range(-4, 5)}
    while (code := f"{secrets.randbelow(10**6):06d}") in near:
        pass
    return code


def measure(
    client: httpx.Client, real_token: TokenGenerator, rounds: int, warmup: int
) -> dict[str, list[float]]:
    """Latencies in ms per case label, each round in a random order, warm-up rounds dropped."""
    seconds: dict[str, list[float]] = {label: [] for label, _ in CASES}
    order = list(CASES)
    for round_number in range(warmup + rounds):
        code = wrong_code(real_token)
        random.shuffle(order)
        for label, subject in order:
            payload = body(subject, code)
            started = time.perf_counter()
            answer = client.post("/mfa/v1_1/authn/initialize", json=payload)
            elapsed = time.perf_counter() - started
            if answer.status_code != 200 or answer.json()["attemptResponseCode"] != "FAIL":
                raise SystemExit(f"{label}: unexpected answer {answer.status_code} {answer.text}")
            if round_number >= warmup:
                seconds[label].append(elapsed * 1000)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--requests", type=int, default=2000, help="per case")
    parser.add_argument("--warmup", type=int, default=100, help="rounds not counted")
    parser.add_argument("--port", type=int, default=18766)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mfadesk-bench-") as scratch:
        work = Path(scratch)
        url = args.database_url or f"sqlite:///{work / 'bench.db'}"
        env = {
            **os.environ,
            "MFADESK_DATABASE_URL": url,
            "MFADESK_SECRET_KEY_FILE": str(work / "secret.key"),
            "MFADESK_PUBLIC_URL": f"http://127.0.0.1:{args.port}",
            "MFADESK_AUTHN_RATE_LIMIT_PER_SECOND": "1000000",
            "MFADESK_AUTHN_RATE_LIMIT_BURST": "1000000",
            "MFADESK_AUTHN_LOCKOUT_FAILURES": str(LOCKOUT_FAILURES),
        }
        client_key, real_token = provision(url, work / "secret.key")
        server = serve(env, args.port)
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{args.port}",
                headers={"client-key": client_key},
                timeout=30,
            ) as client:
                seconds = measure(client, real_token, args.requests, args.warmup)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"SECURID one-step initialize with a wrong code, {backend}, 1 worker, one connection, "
        f"{args.requests} calls per case (interleaved, random order per round)"
    )
    reference = statistics.median(seconds[CASES[0][0]])
    print(f"  {'case':<26} {'median ms':>9} {'p90 ms':>7} {'ratio':>6}")
    for label, _ in CASES:
        median = statistics.median(seconds[label])
        p90 = statistics.quantiles(seconds[label], n=10)[-1]
        print(f"  {label:<26} {median:9.3f} {p90:7.3f} {median / reference:6.2f}")


if __name__ == "__main__":
    main()
