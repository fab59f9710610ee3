"""Throughput of `mfadesk api bulk` against a local `mfadesk serve` (SQLite, one worker) at the
default rate limit (100 requests/s per key, burst 200). Run by hand, not in CI:

    .venv/bin/python bench/bulk.py [--rows 2000] [--concurrency 8] [--unlimited]

Rows are token-disable by user id (one request each) and by e-mail (a lookup first: two
requests). `--unlimited` repeats the runs against a server without a rate limit, to show the
client's own ceiling.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mfadesk.client import AdminClient, TransportError
from mfadesk.otp.secret_key import load_server_keys
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import Operator, add_hardware_token, add_user, ensure_company
from mfadesk.store.database import Database

COMPANY = "Bench Company"
MFADESK = [sys.executable, "-m", "mfadesk"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def provision(env: dict[str, str], users: int) -> list[tuple[str, str, str]]:
    """`users` users with an assigned token each: [(id, email, serial)]."""
    subprocess.run([*MFADESK, "migrate"], env=env, check=True, capture_output=True)
    db = Database(env["MFADESK_DATABASE_URL"])
    op = Operator.start(ServiceEnv(keys=load_server_keys(Path(env["MFADESK_SECRET_KEY_FILE"]))))
    made = []
    with db.unit_of_work() as uow:
        company = ensure_company(uow, op, COMPANY)
        for index in range(users):
            email = f"bench{index:06d}@example.com"
            user = add_user(uow, op, company, email, "Bench", str(index), False)
            serial = f"8{index:011d}"
            add_hardware_token(uow, op, company, serial, email)
            made.append((user.id, email, serial))
    db.close()
    return made


@contextmanager
def serving(env: dict[str, str], port: int, key_file: Path) -> Iterator[None]:
    server = subprocess.Popen(
        [*MFADESK, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with AdminClient.from_key_file(key_file) as api:
            deadline = time.monotonic() + 60
            while True:
                try:
                    api.lookup_user("bench000000@example.com")
                    break
                except TransportError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise
        time.sleep(2.5)  # let the key's bucket refill after the readiness probes
        yield
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def bulk(workdir: Path, name: str, rows: list[list[str]], key_file: Path, concurrency: int) -> dict:
    path = workdir / f"{name}.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([["action", "user", "serial"], *rows])
    started = time.monotonic()
    result = subprocess.run(
        [*MFADESK, "api", "--key-file", str(key_file), "bulk", str(path), "--json",
         "--concurrency", str(concurrency)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"bulk run failed ({result.returncode}): {result.stderr}")
    summary = json.loads(result.stdout)["thisRun"]
    summary["wall"] = wall
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--unlimited", action="store_true")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MFADESK_")}
        env.update(
            MFADESK_DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
            MFADESK_PUBLIC_URL=f"http://127.0.0.1:{port}",
            MFADESK_SECRET_KEY_FILE=str(workdir / "secret.key"),
        )
        users = provision(env, options.rows)
        key_file = workdir / "bench.key"
        subprocess.run(
            [*MFADESK, "admin", "add", "--email", "bench@example.com", "--role",
             "help-desk-admin", "--key-file", str(key_file), "--company", COMPANY],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        scenarios = [
            ("by-id", [["token-disable", uid, serial] for uid, _, serial in users]),
            ("by-email", [["token-enable", email, serial] for _, email, serial in users]),
        ]
        limits = [("default limit (100/s, burst 200)", {})]
        if options.unlimited:
            limits.append(("no rate limit", {"MFADESK_RATE_LIMIT_PER_SECOND": "1000000",
                                            "MFADESK_RATE_LIMIT_BURST": "1000000"}))  # fmt: skip
        print(f"mfadesk api bulk, {options.rows} rows, --concurrency {options.concurrency}")
        print(f"{'server':<34} {'rows':<9} {'rows/s':>8} {'req/s':>8} {'429s':>6} {'wall s':>7}")
        for label, overrides in limits:
            with serving({**env, **overrides}, port, key_file):
                for name, rows in scenarios:
                    run = bulk(workdir, f"{name}-{len(overrides)}", rows, key_file,
                               options.concurrency)  # fmt: skip
                    print(
                        f"{label:<34} {name:<9} {run['rowsPerSecond']:>8.1f} "
                        f"{run['requests'] / run['seconds']:>8.1f} {run['rateLimited']:>6} "
                        f"{run['wall']:>7.1f}"
                    )


if __name__ == "__main__":
    main()
