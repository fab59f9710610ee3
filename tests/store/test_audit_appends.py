"""Inline linking (SQLite's way, forced here on PostgreSQL too): appends guess the audit head
from their own last write; a stale guess must never fork the chain: other writers, rolled-back
transactions and concurrent threads all leave it intact."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from mfadesk.domain.audit import Action, AuditEvent, Result, Target, TargetType
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade


def _event(message: str) -> AuditEvent:
    return AuditEvent(
        occurred_at=datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=UTC),
        action=Action.ENABLE_HARDWARE_TOKEN,
        target=Target(TargetType.HARDWARE_TOKEN, "000100000001", "000100000001"),
        result=Result.SUCCESS,
        changed=True,
        message=message,
        source_ip="127.0.0.1",
    )


def _event_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


@pytest.fixture
def databases(database_url: str) -> Iterator[tuple[Database, Database]]:
    """Two processes' worth of `Database` on one database, each with its own guess."""
    first = Database(database_url, audit_after_commit=False)
    second = Database(database_url, audit_after_commit=False)
    upgrade(first.engine)
    yield first, second
    first.close()
    second.close()


def _append(db: Database, n: int) -> int:
    with db.unit_of_work() as uow:
        seq = uow.audit.append(_event(f"event {n}"), _event_id(n))
    assert seq is not None
    return seq


def _messages(db: Database) -> list[str]:
    with db.unit_of_work() as uow:
        return [stored.event.message for stored in uow.audit.iter_all()]


def test_writers_taking_turns_keep_one_chain(databases: tuple[Database, Database]) -> None:
    first, second = databases
    seqs = [_append(first if n % 3 else second, n) for n in range(1, 10)]
    assert seqs == list(range(1, 10))
    with first.unit_of_work() as uow:
        report = uow.audit.verify_chain()
    assert report.ok and report.checked == 9


def test_a_rolled_back_append_leaves_no_trace(databases: tuple[Database, Database]) -> None:
    db, _ = databases
    _append(db, 1)
    with pytest.raises(RuntimeError), db.unit_of_work() as uow:
        assert uow.audit.append(_event("rolled back"), _event_id(2)) == 2
        raise RuntimeError("the use case failed after auditing")
    assert _append(db, 3) == 2  # the guess (seq 2) was never committed
    assert _messages(db) == ["event 1", "event 3"]
    with db.unit_of_work() as uow:
        assert uow.audit.verify_chain().ok


def test_concurrent_appends_from_threads(databases: tuple[Database, Database]) -> None:
    first, second = databases
    with ThreadPoolExecutor(max_workers=8) as pool:
        seqs = list(pool.map(lambda n: _append(first if n % 2 else second, n), range(1, 81)))
    assert sorted(seqs) == list(range(1, 81))
    with first.unit_of_work() as uow:
        report = uow.audit.verify_chain()
    assert report.ok and report.checked == 80


def test_a_guess_with_the_right_seq_but_another_hash_is_refused(
    databases: tuple[Database, Database],
) -> None:
    first, second = databases
    _append(first, 1)
    with pytest.raises(RuntimeError), first.unit_of_work() as uow:
        uow.audit.append(_event("rolled back"), _event_id(2))  # first now guesses seq 2
        raise RuntimeError("rolled back")
    assert _append(second, 3) == 2  # seq 2 exists after all, with another hash
    assert _append(first, 4) == 3
    assert _messages(first) == ["event 1", "event 3", "event 4"]
    with first.unit_of_work() as uow:
        assert uow.audit.verify_chain().ok
