"""Linking after the commit (PostgreSQL's way; forced here on SQLite too): a write commits its
audit row unlinked, without the head, and the row is in the chain before the unit of work is
done; rows whose writer stopped in between are linked by the next writer or reader."""

from __future__ import annotations

import threading
from collections.abc import Iterator
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


def _messages(db: Database) -> list[str]:
    with db.unit_of_work() as uow:
        return [stored.event.message for stored in uow.audit.iter_all()]


def _pending(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_pending)).scalar_one())


def test_a_committed_append_is_linked_before_the_unit_of_work_ends(
    databases: tuple[Database, Database],
) -> None:
    first, second = databases
    for n in range(1, 7):
        _append(first if n % 2 else second, n)
        assert _messages(second)[-1] == f"event {n}"
    assert _pending(first) == 0
    with first.unit_of_work() as uow:
        stored = list(uow.audit.iter_all())
    assert [event.seq for event in stored] == [1, 2, 3, 4, 5, 6]
    assert stored[0].event == _event("event 1")  # every field survives the detour
    report = verify_chain(first.unit_of_work)
    assert report.ok and report.checked == 6


def test_a_rolled_back_append_leaves_no_trace(databases: tuple[Database, Database]) -> None:
    db, _ = databases
    _append(db, 1)
    with pytest.raises(RuntimeError), db.unit_of_work() as uow:
        uow.audit.append(_event("rolled back"), _event_id(2))
        raise RuntimeError("the use case failed after auditing")
    _append(db, 3)
    assert _messages(db) == ["event 1", "event 3"]
    assert _pending(db) == 0


def test_concurrent_writers_keep_one_chain(databases: tuple[Database, Database]) -> None:
    first, second = databases
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: _append(first if n % 2 else second, n), range(1, 121)))
    assert sorted(_messages(first)) == sorted(f"event {n}" for n in range(1, 121))
    assert _pending(first) == 0
    report = verify_chain(first.unit_of_work)
    assert report.ok and report.checked == 120


def test_rows_a_writer_left_pending_are_linked_by_the_next_writer_and_by_readers(
    databases: tuple[Database, Database],
) -> None:
    first, second = databases
    with first.unit_of_work() as uow:
        uow.audit.append(_event("left pending"), _event_id(1))
        uow.audit.pending_ids.clear()  # as if the process stopped right after its commit
    assert _pending(first) == 1 and _messages(first) == []
    _append(second, 2)  # links every committed pending row, in id order
    assert _messages(first) == ["left pending", "event 2"]

    with first.unit_of_work() as uow:
        uow.audit.append(_event("left pending again"), _event_id(3))
        uow.audit.pending_ids.clear()
    report = verify_chain(first.unit_of_work)  # `mfadesk audit verify` links first
    assert report.ok and report.checked == 3
    assert _pending(first) == 0


@pytest.mark.postgres
def test_a_write_commits_while_another_holds_the_head(postgres_url: str) -> None:
    """The point of linking after the commit: the head is no longer held through a write's
    transaction, so a write's commit does not wait for it; only its linking does."""
    reset_postgres(postgres_url)
    db = Database(postgres_url, audit_after_commit=True)
    upgrade(db.engine)
    try:
        holder = db.engine.connect()
        holder.begin()
        holder.execute(text("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"))
        writer = threading.Thread(target=_append, args=(db, 1))
        writer.start()
        deadline = datetime.now(UTC).timestamp() + 10
        while _pending(db) == 0 and datetime.now(UTC).timestamp() < deadline:
            threading.Event().wait(0.01)
        assert _pending(db) == 1  # committed although the head is held
        assert writer.is_alive()  # and waiting to link it
        holder.rollback()
        holder.close()
        writer.join(timeout=10)
        assert not writer.is_alive()
        assert _messages(db) == ["event 1"] and _pending(db) == 0
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
