"""While a SQLite database serves, its WAL is copied back into the database file by a thread of
its own, not inside the commits of requests."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from mfadesk.domain.audit import Action, AuditEvent, Result, Target, TargetType
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade

CHECKPOINTER = "mfadesk-wal-checkpoint"


def _append(db: Database, n: int) -> None:
    event = AuditEvent(
        occurred_at=datetime(2026, 11, 23, 9, 0, 0, tzinfo=UTC),
        action=Action.DISABLE_HARDWARE_TOKEN,
        target=Target(TargetType.HARDWARE_TOKEN, "000100000001", "000100000001"),
        result=Result.SUCCESS,
        changed=True,
        message=f"event {n}",
        source_ip=None,
    )
    with db.unit_of_work() as uow:
        uow.audit.append(event, f"00000000-0000-4000-8000-{n:012d}")


def _rows_in_the_file_alone(db_file: Path, scratch: Path) -> int:
    """Count audit rows in a copy of the database file without its WAL."""
    copy = scratch / "copy.db"
    shutil.copyfile(db_file, copy)
    try:
        with sqlite3.connect(copy) as connection:
            return int(connection.execute("SELECT count(*) FROM audit_events").fetchone()[0])
    except sqlite3.DatabaseError:  # copied in the middle of a checkpoint: look again
        return -1


async def test_the_wal_reaches_the_database_file_in_the_background(tmp_path: Path) -> None:
    db_file = tmp_path / "mfadesk.db"
    db = Database(f"sqlite:///{db_file}")
    upgrade(db.engine)
    db.engine.dispose()
    try:
        # 50 commits write far fewer pages than SQLite's own threshold (1000): only the
        # background checkpoints can bring them into the database file.
        for n in range(1, 51):
            await db.run(_append, db, n)
        for _ in range(100):
            if _rows_in_the_file_alone(db_file, tmp_path) == 50:
                break
            await asyncio.sleep(0.05)
        assert _rows_in_the_file_alone(db_file, tmp_path) == 50
        assert any(thread.name == CHECKPOINTER for thread in threading.enumerate())
    finally:
        db.close()
    assert not any(thread.name == CHECKPOINTER for thread in threading.enumerate())


def test_operator_commands_keep_sqlites_own_checkpoints(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'mfadesk.db'}")
    upgrade(db.engine)
    try:
        _append(db, 1)  # outside the database thread: a plain pooled connection
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000
        assert not any(thread.name == CHECKPOINTER for thread in threading.enumerate())
    finally:
        db.close()
