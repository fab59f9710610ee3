"""SCIM provisioning throughput: user creations (POST /Users) and Entra ID style PATCHes of
`active`, at 8 connections, against the real `mfadesk serve`.

Run by hand (not in CI), e.g.::

    .venv/bin/python bench/scim.py --duration 10 --rounds 2

In a temporary directory: `mfadesk migrate`, `company add`, `source add-scim --json` (the bearer
token), then one `mfadesk serve` (SQLite in WAL mode with durable commits unless
``--database-url``), driven by wrk at 8 connections (2 threads):

- **create**: every request a new user (userName, externalId, names, a primary work e-mail,
  active) — each one a uniqueness check of userName, e-mail and externalId, an insert and its
  audit record (`wrk/scim_create.lua`);
- **PATCH**: `{"op":"Replace","path":"active","value":"False"}` then `"True"` in turn over 2,000
  of the users just created, every request a real change with its audit record
  (`wrk/scim_patch.lua`).

Prints req/s, p50 and p99 latency and errors (non-2xx and socket errors) per run, and the
server's CPU time per request.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from admin_api import Process, Result, free_port, parse_wrk, require_wrk

BENCH = Path(__file__).parent
MFADESK = [sys.executable, "-m", "mfadesk"]
PATCHED_USERS = 2000


def mfadesk(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*MFADESK, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"mfadesk {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def drive(args: argparse.Namespace, url: str, script: str, env: dict[str, str]) -> str:
    argv = [
        "wrk",
        "-t2",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(BENCH / "wrk" / script),
        url,
    ]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def user_ids(database: Path, limit: int) -> list[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT u.id FROM users u JOIN identity_sources s ON s.id = u.source_id "
            "WHERE s.kind = 'scim' ORDER BY u.created_at LIMIT ?",
            (limit,),
        ).fetchall()
    return [row[0] for row in rows]


def show(result: Result, cpu_us: float) -> None:
    print(
        f"{result.scenario:<8} {result.rps:>9.0f} req/s   p50 {result.p50_ms:6.2f} ms   "
        f"p99 {result.p99_ms:6.2f} ms   errors {result.errors}   "
        f"server CPU {cpu_us:6.0f} µs/request   ({result.requests} requests)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file")
    args = parser.parse_args()
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="mfadesk-bench-scim-") as folder:
        root = Path(folder)
        port = free_port()
        database = root / "mfadesk.db"
        env = {
            **os.environ,
            "MFADESK_DATABASE_URL": args.database_url or f"sqlite:///{database}",
            "MFADESK_SECRET_KEY_FILE": str(root / "secret.key"),
            "MFADESK_PUBLIC_URL": f"http://127.0.0.1:{port}",
        }
        mfadesk(env, "migrate")
        mfadesk(env, "company", "add", "Bench")
        token = json.loads(mfadesk(env, "source", "add-scim", "--name", "Bench", "--json"))["token"]
        server = Process(
            "mfadesk",
            [*MFADESK, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env,
            root / "serve.log",
        )
        try:
            server.wait_ready(port)
            url = f"http://127.0.0.1:{port}"
            print(
                f"wrk -t2 -c{args.connections} -d{args.duration}s against mfadesk serve "
                f"({server.event_loop_and_parser()}, "
                f"{'SQLite' if args.database_url is None else 'the given database'})",
                flush=True,
            )
            for round_number in range(args.rounds):
                run_env = {**env, "BENCH_TOKEN": token, "BENCH_RUN": f"r{round_number}"}
                before = server.cpu_seconds()
                result = parse_wrk(drive(args, url, "scim_create.lua", run_env), "create", "m")
                show(result, (server.cpu_seconds() - before) * 1e6 / max(1, result.requests))
                if args.database_url is None:
                    ids = user_ids(database, PATCHED_USERS)
                else:
                    raise SystemExit("PATCH run: only on the default SQLite database")
                run_env["BENCH_IDS"] = ",".join(ids)
                time.sleep(0.5)
                before = server.cpu_seconds()
                result = parse_wrk(drive(args, url, "scim_patch.lua", run_env), "PATCH", "m")
                show(result, (server.cpu_seconds() - before) * 1e6 / max(1, result.requests))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
