"""Rate of the CSV imports: `mfadesk user import` and `mfadesk token import FILE.csv`, run as
an operator runs them (a process each, a fresh SQLite file in WAL mode, or PostgreSQL with
--postgres URL). Run by hand, not in CI:

    .venv/bin/python bench/csv_import.py [--rows 1000000] [--shuffle] [--postgres URL]

It writes, in a temporary directory, `users.csv` (`emailAddress,firstName,lastName`, ROWS
users, sorted by e-mail unless --shuffle) and `tokens.csv` (`tokenSerialNumber,emailAddress,
seed`: a new token with a random seed for every user, so every row is an AES-GCM encryption
and an assignment), then times:

1. the user import into an empty database (ROWS created);
2. the same file again (ROWS unchanged: nothing may change);
3. the token import (ROWS tokens created and assigned, Enabled);
4. the same file again (ROWS unchanged: each seed decrypted and compared).

Each time is the command's whole wall-clock time (process start, migrations, reading, all
chunks), with the CPU time it used (less sensitive to other load on the machine). Alongside:
AES-GCM sealing of ROWS seeds as the import seals them (the share of the token import that
encryption is), and the load average before and after, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mfadesk.otp.seed_cipher import SeedCipher

MFADESK = [sys.executable, "-m", "mfadesk"]


def order(rows: int, shuffle: bool) -> list[int]:
    numbers = list(range(rows))
    if shuffle:
        random.shuffle(numbers)
    return numbers


def write_users(path: Path, numbers: list[int]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["emailAddress", "firstName", "lastName"])
        for index in numbers:
            out.writerow([f"user{index:07d}@example.com", "First", f"Last {index}"])


def write_tokens(path: Path, numbers: list[int]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["tokenSerialNumber", "emailAddress", "seed"])
        for index in numbers:
            out.writerow([f"9{index:011d}", f"user{index:07d}@example.com", secrets.token_hex(16)])


def timed_import(env: dict[str, str], *args: str) -> tuple[float, float, dict[str, object]]:
    """Wall-clock and CPU seconds of the command, and its JSON summary."""
    before = os.times()
    started = time.perf_counter()
    result = subprocess.run(
        [*MFADESK, *args, "--json"], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    if result.returncode != 0:
        raise SystemExit(f"mfadesk {' '.join(args)} failed:\n{result.stderr}")
    summary = json.loads(result.stdout)
    summary["rejected"] = len(summary["rejected"])
    return elapsed, cpu, summary


def seal_rate(rows: int, chunk: int = 50_000) -> float:
    """Seeds sealed per second as the import seals them (`encrypt_many`, a chunk a call)."""
    cipher = SeedCipher(secrets.token_bytes(32))
    seeds = [(f"9{index:011d}", secrets.token_bytes(16)) for index in range(rows)]
    started = time.perf_counter()
    for start in range(0, rows, chunk):
        cipher.encrypt_many(seeds[start : start + chunk])
    return rows / (time.perf_counter() - started)


def fresh_postgres(url: str) -> str:
    name = f"mfadesk_bench_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_postgres(url: str, database: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = make_url(database).database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=None, help="a server URL: bench PostgreSQL")
    parser.add_argument(
        "--shuffle", action="store_true", help="rows in random order (e-mails not sorted)"
    )
    options = parser.parse_args()
    rows = options.rows
    with tempfile.TemporaryDirectory(prefix="mfadesk-bench-") as scratch:
        folder = Path(scratch)
        database = (
            fresh_postgres(options.postgres)
            if options.postgres
            else f"sqlite:///{folder / 'mfadesk.db'}"
        )
        env = {
            **os.environ,
            "MFADESK_DATABASE_URL": database,
            "MFADESK_SECRET_KEY_FILE": str(folder / "secret.key"),
        }
        users, tokens = folder / "users.csv", folder / "tokens.csv"
        numbers = order(rows, options.shuffle)
        write_users(users, numbers)
        write_tokens(tokens, numbers)
        subprocess.run(
            [*MFADESK, "user", "add", "--email", "first@example.com"], env=env, check=True
        )
        kind = "shuffled" if options.shuffle else "sorted by e-mail"
        print(f"{rows} rows ({kind}), {'PostgreSQL' if options.postgres else 'SQLite'}")
        print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        runs = [
            ("users, new", ("user", "import", str(users))),
            ("users, again", ("user", "import", str(users))),
            ("tokens, new + assigned", ("token", "import", str(tokens))),
            ("tokens, again", ("token", "import", str(tokens))),
        ]
        try:
            for label, args in runs:
                elapsed, cpu, summary = timed_import(env, *args)
                print(
                    f"{label:24} {elapsed:6.1f} s (CPU {cpu:5.1f} s) {rows / elapsed:8.0f} rows/s"
                    f"  {summary}"
                )
        finally:
            if options.postgres:
                drop_postgres(options.postgres, database)
        print(f"AES-GCM seal             {seal_rate(rows):9.0f} seeds/s")
        print(f"load average after:  {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
