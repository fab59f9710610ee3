"""Why imported users get time-ordered ids: 1 M plain inserts into the users table's schema on
SQLite, with random version-4 ids and with sorted version-7 ids, side by side (run by hand):

    .venv/bin/python bench/sqlite_ids.py [--rows 1000000]

Same rows, same chunks of 50 000 per transaction, same 256 MiB page cache as the import; only
the ids differ. Random ids land all over the primary-key index, so each chunk rewrites most of
its pages; time-ordered ones go to its end.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine

from mfadesk.domain.clock import SystemRandom, uuid7_batch
from mfadesk.store.tables import metadata

CHUNK = 50_000


def insert(path: Path, ids: list[str]) -> float:
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    engine.dispose()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA cache_size=-262144")
    now = "2026-11-27 10:00:00.000000"
    connection.execute("INSERT INTO companies VALUES ('c', 'C', 0, 60, 0, 8, 'ABCDEFGHJK', 0)")
    connection.execute(
        "INSERT INTO identity_sources VALUES ('s', 'c', 'local', 'local', '{}', NULL, ?)", (now,)
    )
    rows = [
        (user_id, "c", f"user{n:07d}@example.com", "First", f"Last {n}", "Enabled", 0, now, "s")
        for n, user_id in enumerate(ids)
    ]
    started = time.perf_counter()
    for start in range(0, len(rows), CHUNK):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO users (id, company_id, email, first_name, last_name, status,"
            " mark_deleted, created_at, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows[start : start + CHUNK],
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    random = SystemRandom()
    now = datetime.now(UTC)
    kinds = {
        "version 4 (random)": [random.uuid4() for _ in range(rows)],
        "version 7 (time-ordered)": [  # a chunk's transaction later than the one before
            user_id
            for start in range(0, rows, CHUNK)
            for user_id in uuid7_batch(
                random, now + timedelta(milliseconds=start), min(CHUNK, rows - start)
            )
        ],
    }
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="mfadesk-bench-") as scratch:
        for index, (label, ids) in enumerate(kinds.items()):
            elapsed = insert(Path(scratch) / f"{index}.db", ids)
            print(f"{label:26} {elapsed:6.1f} s  {rows / elapsed:9.0f} rows/s")
    print(f"load average after:  {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
