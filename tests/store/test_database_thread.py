"""Where SQLite's units of work run: on the calling thread, on a connection it keeps, unless
another connection holds the write lock — then on the database thread, which waits for it.
Transactions are begun and ended on the driver; Core statements and prepared ones inside them
commit and roll back together."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url

from mfadesk.domain.company import Company
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from mfadesk.store.unit_of_work import DatabaseBusy

RELEASE_AFTER = 0.3  # seconds another process keeps the write lock


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    database = Database(sqlite_url)
    upgrade(database.engine)
    yield database
    database.close()


def _add(db: Database, name: str, fail: bool = False) -> str:
    with db.unit_of_work() as uow:
        uow.companies.add(Company(id=name, name=name))  # a Core statement
        assert uow.companies.get_by_name(name) is not None  # a prepared one, same transaction
        if fail:
            raise RuntimeError("the use case failed")
    return threading.current_thread().name


def _names(db: Database) -> list[str]:
    with db.unit_of_work(readonly=True) as uow:
        return [company.name for company in uow.companies.list()]


@contextmanager
def _write_lock_held_elsewhere(db: Database) -> Iterator[threading.Event]:
    """Another process's write transaction, committed `RELEASE_AFTER` seconds after it began
    (or at once when the event is set)."""
    path = make_url(db.url).database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Event()

    def commit_later() -> None:
        release.wait(RELEASE_AFTER)
        other.execute("COMMIT")

    thread = threading.Thread(target=commit_later)
    thread.start()
    try:
        yield release
    finally:
        release.set()
        thread.join()
        other.close()


async def test_failures_roll_back_and_the_connection_carries_on(db: Database) -> None:
    with pytest.raises(RuntimeError, match="failed"):
        await db.run(_add, db, "Rolled Back", True)
    await db.run(_add, db, "Kept")
    with pytest.raises(RuntimeError, match="failed"):
        await db.run(_add, db, "Rolled Back Too", True)
    assert await db.run(_names, db) == ["Kept"]
    assert _names(db) == ["Kept"]  # seen from another connection too
    assert db.engine.pool.checkedout() == 1  # type: ignore[attr-defined]


async def test_units_of_work_run_on_the_calling_thread(db: Database) -> None:
    assert await db.run(_add, db, "Here") == threading.current_thread().name


async def test_a_busy_file_sends_the_work_to_the_database_thread_which_waits(
    db: Database,
) -> None:
    loop = asyncio.get_running_loop()
    with _write_lock_held_elsewhere(db):
        started = loop.time()
        ran_on = await db.run(_add, db, "Waited")
        waited = loop.time() - started
    assert ran_on == "mfadesk-db-0"
    assert waited >= RELEASE_AFTER * 0.8  # it waited for the lock instead of failing
    assert await db.run(_names, db) == ["Waited"]
    # Once the file is free again, work runs here again.
    assert await db.run(_add, db, "Here Again") == threading.current_thread().name


async def test_work_queued_behind_a_wait_keeps_its_order(db: Database) -> None:
    with _write_lock_held_elsewhere(db):
        first = asyncio.ensure_future(db.run(_add, db, "First"))
        await asyncio.sleep(0.05)  # `first` waits on the database thread
        second = asyncio.ensure_future(db.run(_add, db, "Second"))
        threads = await asyncio.gather(first, second)
    assert threads == ["mfadesk-db-0", "mfadesk-db-0"]
    assert await db.run(_names, db) == ["First", "Second"]


async def test_work_that_committed_before_the_file_got_busy_is_not_run_twice(
    db: Database,
) -> None:
    """Its first unit of work committed: running it again would repeat that, so it fails."""
    path = make_url(db.url).database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def commit_then_find_the_file_busy() -> None:
        _add(db, "Committed")
        other.execute("BEGIN IMMEDIATE")  # another process takes the lock in between
        _add(db, "Never")

    try:
        with pytest.raises(DatabaseBusy):
            await db.run(commit_then_find_the_file_busy)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _names(db) == ["Committed"]
