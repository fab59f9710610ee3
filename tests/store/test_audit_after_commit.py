"""Linking after the commit (PostgreSQL's way; forced here on SQLite too): a write commits its
audit row unlinked and without the head; the process's linker puts it in the chain moments
later, and readers link what is pending first; rows a process left behind are linked by the
next linker or reader."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from mfadesk.domain.audit import Action, AuditEvent, Result, Target, TargetType
from mfadesk.services.audit import verify_chain
from mfadesk.settings import Settings, SettingsError
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from mfadesk.store.tables import audit_pending
from tests.support.databases import reset_postgres


def _event(message: str) -> AuditEvent:
    return AuditEvent(
        occurred_at=datetime(2026, 12, 5, 9, 0, 0, 654321, tzinfo=UTC),
        action=Action.DISABLE_HARDWARE_TOKEN,
        target=Target(TargetType.HARDWARE_TOKEN, "000100000001", "000100000001"),
        result=Result.SUCCESS,
        changed=True,
        message=message,
        source_ip="192.0.2.7",
        company_id="c0ffee00-0000-4000-8000-000000000001",
        admin_email="super@acme.example",
        admin_role="Super Admin",
    )


def _event_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


@pytest.fixture
def databases(database_url: str) -> Iterator[tuple[Database, Database]]:
    """Two processes' worth of `Database` on one database."""
    first = Database(database_url, audit_after_commit=True)
    second = Database(database_url, audit_after_commit=True)
    upgrade(first.engine)
    yield first, second
    first.close()
    second.close()


def _append(db: Database, n: int) -> None:
    with db.unit_of_work() as uow:
        assert uow.audit.append(_event(f"event {n}"), _event_id(n)) is None


def _linked(db: Database) -> list[str]:
    """The chain as it is, without linking anything first."""
    with db.unit_of_work() as uow:
        return [stored.event.message for stored in uow.audit.iter_all()]


def _pending(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_pending)).scalar_one())


def _eventually(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_linker_links_committed_rows_moments_after_the_commit(
    databases: tuple[Database, Database],
) -> None:
    first, second = databases
    for n in range(1, 7):
        _append(first if n % 2 else second, n)
    assert _eventually(lambda: _pending(first) == 0)
    with first.unit_of_work() as uow:
        stored = list(uow.audit.iter_all())
    assert sorted(event.event.message for event in stored) == [f"event {n}" for n in range(1, 7)]
    assert [event.seq for event in stored] == [1, 2, 3, 4, 5, 6]
    assert stored[0].event == _event(stored[0].event.message)  # every field survives the detour
    report = verify_chain(first.unit_of_work)
    assert report.ok and report.checked == 6


def test_a_rolled_back_append_leaves_no_trace(databases: tuple[Database, Database]) -> None:
    db, _ = databases
    _append(db, 1)
    with pytest.raises(RuntimeError), db.unit_of_work() as uow:
        uow.audit.append(_event("rolled back"), _event_id(2))
        raise RuntimeError("the use case failed after auditing")
    _append(db, 3)
    assert _eventually(lambda: _pending(db) == 0)
    assert _linked(db) == ["event 1", "event 3"]


def test_concurrent_writers_keep_one_chain(databases: tuple[Database, Database]) -> None:
    first, second = databases
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: _append(first if n % 2 else second, n), range(1, 121)))
    report = verify_chain(first.unit_of_work)  # links what is still pending first
    assert report.ok and report.checked == 120
    assert sorted(_linked(first)) == sorted(f"event {n}" for n in range(1, 121))
    assert _pending(first) == 0


def test_rows_a_process_left_pending_are_linked_by_the_next_linker_and_by_readers(
    databases: tuple[Database, Database],
) -> None:
    first, second = databases
    with first.unit_of_work() as uow:
        uow.audit.append(_event("left pending"), _event_id(1))
        uow.audit.pending_appends = 0  # as if the process stopped right after its commit
    assert _pending(first) == 1 and _linked(first) == []
    _append(second, 2)  # the other process's linker takes every committed pending row
    assert _eventually(lambda: _pending(first) == 0)
    assert _linked(first) == ["left pending", "event 2"]

    with first.unit_of_work() as uow:
        uow.audit.append(_event("left pending again"), _event_id(3))
        uow.audit.pending_appends = 0
    report = verify_chain(first.unit_of_work)  # `mfadesk audit verify` links first
    assert report.ok and report.checked == 3
    assert _pending(first) == 0


def test_closing_the_database_links_what_is_pending(database_url: str) -> None:
    """A command's writes are in the chain when it exits."""
    db = Database(database_url, audit_after_commit=True)
    upgrade(db.engine)
    linker = db.audit_linker
    assert linker is not None
    linker._gather = 60.0  # the background round would come too late: only close links
    _append(db, 1)
    assert _pending(db) == 1
    db.close()
    reader = Database(database_url, audit_after_commit=True)
    try:
        assert _pending(reader) == 0 and _linked(reader) == ["event 1"]
    finally:
        reader.close()


@pytest.mark.postgres
def test_a_write_commits_while_another_holds_the_head(postgres_url: str) -> None:
    """The point of linking after the commit: the head is no longer held through a write's
    transaction, so a write does not wait for it; only the linker does."""
    reset_postgres(postgres_url)
    db = Database(postgres_url, audit_after_commit=True)
    upgrade(db.engine)
    try:
        holder = db.engine.connect()
        holder.begin()
        holder.execute(text("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"))
        writer = threading.Thread(target=_append, args=(db, 1))
        writer.start()
        writer.join(timeout=10)
        assert not writer.is_alive()  # the write is done although the head is held
        assert _pending(db) == 1 and _linked(db) == []
        holder.rollback()
        holder.close()
        assert _eventually(lambda: _pending(db) == 0)
        assert _linked(db) == ["event 1"]
    finally:
        db.close()


def test_the_link_mode_is_chosen_per_database_unless_set(tmp_path: Path) -> None:
    assert Settings.from_env({}).audit_after_commit is None
    assert Settings.from_env({"MFADESK_AUDIT_LINK": " Inline "}).audit_after_commit is False
    assert Settings.from_env({"MFADESK_AUDIT_LINK": "after-commit"}).audit_after_commit is True
    with pytest.raises(SettingsError, match="MFADESK_AUDIT_LINK must be auto, inline or"):
        Settings.from_env({"MFADESK_AUDIT_LINK": "later"})
    sqlite = Database(f"sqlite:///{tmp_path / 'auto.db'}")
    try:
        assert sqlite.audit_after_commit is False
    finally:
        sqlite.close()


@pytest.mark.postgres
def test_postgres_links_after_commit_by_default(postgres_url: str) -> None:
    db = Database(postgres_url)
    try:
        assert db.audit_after_commit is True
    finally:
        db.close()
