"""How long one SECURID verification takes, by how it ends: a wrong PIN must cost what a wrong
tokencode does, and a PIN must not make a success slower.

Run by hand (not in CI)::

    .venv/bin/python bench/pin_timing.py --users 2000

In one process, on one SQLite file (or ``--database-url``), without HTTP: the verification use
case itself (``services.authn_attempts.initialize`` with a one-step ``SECURID`` passcode, in its
own unit of work), so that little else is measured. Each kind of passcode has users of its own
(every user is verified once: no replays, no lockouts), and the kinds take turns call by call,
so that whatever else the machine does falls on all of them alike. Reported per kind: the
median CPU time of a call (this thread's, so time spent waiting for a busy machine does not
count) with its ratio to "wrong tokencode", and the median wall-clock time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from mfadesk.domain.lockout import LockoutPolicy
from mfadesk.domain.pins import PinPolicy
from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.otp.secret_key import load_server_keys
from mfadesk.otp.tokencodes import TokenGenerator
from mfadesk.services.authn_attempts import CredentialInput, InitializeInput, initialize
from mfadesk.services.authn_call import AuthnCall, AuthnConfig
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

PIN = "2468"


@dataclass(frozen=True)
class Kind:
    name: str
    answer: str
    pin_set: bool  # the user's token has PIN
    sent_pin: str  # what the passcode has in front of the tokencode
    right_code: bool = True


KINDS = (
    Kind("wrong tokencode", "FAIL", True, PIN, right_code=False),
    Kind("wrong PIN", "FAIL", True, "1357"),
    Kind("tokencode alone", "FAIL", True, ""),
    Kind("PIN + tokencode", "SUCCESS", True, PIN),
    Kind("no PIN, optional", "SUCCESS", False, ""),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2000, help="per kind of passcode")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mfadesk-pin-timing-") as scratch:
        work = Path(scratch)
        env = ServiceEnv(keys=load_server_keys(work / "secret.key"))
        db = Database(args.database_url or f"sqlite:///{work / 'timing.db'}")
        upgrade(db.engine)
        run = uuid.uuid4().hex[:8]
        people: dict[Kind, list[tuple[str, str, bytes]]] = {}
        keys: dict[Kind, str] = {}
        print(f"provisioning {len(KINDS)} x {args.users} users…", flush=True)
        for number, kind in enumerate(KINDS):
            name = f"Timing {run} {kind.name}"
            people[kind] = []
            with db.unit_of_work() as uow:
                op = Operator.start(env)
                company = ensure_company(uow, op, name)
                uow.companies.save_pin_policy(company.id, PinPolicy(required=kind.pin_set))
                for index in range(args.users):
                    email = f"u{index}@{number}.{run}.example"
                    serial = f"{int(run, 16) % 10**4:04d}{number}{index:07d}"
                    seed = os.urandom(16)
                    add_user(uow, op, company, email)
                    add_hardware_token(uow, op, company, serial, email, TokenSeed(seed))
                    if kind.pin_set:
                        stored = seal_pin(env, serial, PIN)
                        uow.securid_credentials.set_pin(CredentialKind.SID700, serial, stored)
                    people[kind].append((email, serial, seed))
                _, keys[kind] = create_authn_key(uow, op, company, "timing")
        config = AuthnConfig.build(env, LockoutPolicy())
        cpu: dict[Kind, list[float]] = {kind: [] for kind in KINDS}
        wall: dict[Kind, list[float]] = {kind: [] for kind in KINDS}
        for index in range(args.users):
            shift = index % len(KINDS)
            for kind in KINDS[shift:] + KINDS[:shift]:  # each kind goes first in turn
                email, serial, seed = people[kind][index]
                code = TokenGenerator(seed, serial).at(int(time.time()))
                if not kind.right_code:
                    code = f"{(int(code) + 1) % 10**6:06d}"
                request = InitializeInput(
                    email,
                    str(uuid.uuid4()),
                    180,
                    credentials=(CredentialInput("SECURID", kind.sent_pin + code),),
                )
                started, started_cpu = time.perf_counter(), time.thread_time()
                call = AuthnCall.start(config, keys[kind], "127.0.0.1")
                with db.unit_of_work() as uow:
                    outcome = initialize(uow, call, request)
                cpu[kind].append(time.thread_time() - started_cpu)
                wall[kind].append(time.perf_counter() - started)
                if outcome.code.value != kind.answer:
                    raise SystemExit(f"{kind.name}: {outcome.code.value}, not {kind.answer}")
        db.close()
    base = statistics.median(cpu[KINDS[0]])
    print(f"one-step SECURID verification, in process, {args.users} calls per kind")
    print(f"  {'passcode':<18} {'answer':<8} {'CPU µs':>7} {'ratio':>6} {'wall µs':>8}")
    for kind in KINDS:
        median = statistics.median(cpu[kind])
        print(
            f"  {kind.name:<18} {kind.answer:<8} {median * 1e6:7.0f} {median / base:6.2f}"
            f" {statistics.median(wall[kind]) * 1e6:8.0f}"
        )


if __name__ == "__main__":
    main()
