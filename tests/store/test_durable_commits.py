"""SQLite commits are durable before they are acknowledged: `Database.run` returns only after an
fsync of the WAL file that began after the commit, and concurrent commits share that fsync.

The syncer is the real one on a real database file; only the fsync call itself is handed in,
so that the tests can see when it happens, hold it, count it or make it fail."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from queue import SimpleQueue

import httpx
import pytest

from mfadesk.api.app import create_app
from mfadesk.domain.company import Company
from mfadesk.settings import Settings, SettingsError
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from mfadesk.store.wal_sync import CommitNotDurable, SqliteSync, WalSyncer
from tests.conftest import StackFactory
from tests.support.live_server import LiveServer, free_port
from tests.support.tenant import TOKEN_ALICE
from tests.support.wire import assert_error

WAIT = 10.0  # seconds: a bound for what should take milliseconds


class Disk:
    """The fsync the syncer calls: it records what it was asked to sync and what was committed
    by then, holds each call until the test lets it through (if `hold`), or fails."""

    def __init__(self, path: Path, *, hold: bool = False, fail: bool = False) -> None:
        self.path = path
        self.hold = hold
        self.fail = fail
        self.calls = 0
        self.synced_files: list[tuple[int, int]] = []
        self.visible_then: list[list[str]] = []  # companies a fresh connection saw at each call
        self.entered: SimpleQueue[int] = SimpleQueue()
        self._gate = threading.Semaphore(0)

    def fsync(self, fd: int) -> None:
        self.calls += 1
        stat = os.fstat(fd)
        self.synced_files.append((stat.st_dev, stat.st_ino))
        self.visible_then.append(_committed_names(self.path))
        self.entered.put(self.calls)
        if self.hold and not self._gate.acquire(timeout=WAIT):
            raise AssertionError("the test never let the fsync through")
        if self.fail:
            raise OSError(5, "Input/output error")
        os.fsync(fd)

    def let_through(self, count: int = 1) -> None:
        self._gate.release(count)

    async def wait_for_call(self) -> int:
        return await asyncio.to_thread(self.entered.get, timeout=WAIT)

    def wal_file(self) -> tuple[int, int]:
        stat = os.stat(f"{self.path}-wal")
        return (stat.st_dev, stat.st_ino)


def _committed_names(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [name for (name,) in connection.execute("SELECT name FROM companies ORDER BY name")]


def _add(db: Database, name: str) -> None:
    with db.unit_of_work() as uow:
        uow.companies.add(Company(id=name, name=name))


def _names(db: Database) -> list[str]:
    with db.unit_of_work(readonly=True) as uow:
        return sorted(company.name for company in uow.companies.list())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "mfadesk.db"


@pytest.fixture
def open_db(db_path: Path) -> Iterator[Callable[..., Database]]:
    opened: list[Database] = []

    def open_(disk: Disk, sqlite_sync: SqliteSync = "full") -> Database:
        db = Database(f"sqlite:///{db_path}", sqlite_sync=sqlite_sync, wal_fsync=disk.fsync)
        upgrade(db.engine)
        opened.append(db)
        return db

    yield open_
    for db in opened:
        db.close()


async def _not_done_after_a_while(task: asyncio.Future[object]) -> bool:
    await asyncio.sleep(0.05)
    return not task.done()


async def test_a_write_is_acknowledged_only_after_the_wal_is_synced_after_its_commit(
    db_path: Path, open_db: Callable[..., Database]
) -> None:
    disk = Disk(db_path, hold=True)
    db = open_db(disk)
    write = asyncio.ensure_future(db.run(_add, db, "Acme"))
    assert await disk.wait_for_call() == 1
    assert await _not_done_after_a_while(write)  # committed, but not acknowledged
    disk.let_through()
    await asyncio.wait_for(write, WAIT)
    # It synced the WAL file, after the commit was in it.
    assert disk.synced_files == [disk.wal_file()]
    assert disk.visible_then == [["Acme"]]


async def test_concurrent_writes_share_fsyncs(
    db_path: Path, open_db: Callable[..., Database]
) -> None:
    disk = Disk(db_path)
    db = open_db(disk)
    names = [f"Company {n:02}" for n in range(20)]
    await asyncio.wait_for(asyncio.gather(*(db.run(_add, db, name) for name in names)), WAIT)
    assert _committed_names(db_path) == names
    assert 1 <= disk.calls < len(names) // 2


async def test_a_commit_made_while_an_fsync_runs_waits_for_the_next_one(
    db_path: Path, open_db: Callable[..., Database]
) -> None:
    disk = Disk(db_path, hold=True)
    db = open_db(disk)
    first = asyncio.ensure_future(db.run(_add, db, "First"))
    assert await disk.wait_for_call() == 1
    second = asyncio.ensure_future(db.run(_add, db, "Second"))  # commits during that fsync
    assert await _not_done_after_a_while(second)
    disk.let_through()
    await asyncio.wait_for(first, WAIT)
    assert await disk.wait_for_call() == 2  # the second commit needs a sync of its own
    assert await _not_done_after_a_while(second)
    disk.let_through()
    await asyncio.wait_for(second, WAIT)
    assert disk.visible_then == [["First"], ["First", "Second"]]


async def test_a_cancelled_waiter_leaves_the_others_of_its_fsync_waiting(
    db_path: Path, open_db: Callable[..., Database]
) -> None:
    disk = Disk(db_path, hold=True)
    db = open_db(disk)
    first = asyncio.ensure_future(db.run(_add, db, "First"))
    await disk.wait_for_call()
    # Both commit during that fsync and wait for the next one, together.
    cancelled = asyncio.ensure_future(db.run(_add, db, "Cancelled"))
    kept = asyncio.ensure_future(db.run(_add, db, "Kept"))
    await asyncio.sleep(0)
    cancelled.cancel()
    disk.let_through(2)
    await asyncio.wait_for(asyncio.gather(first, kept), WAIT)
    assert cancelled.cancelled()
    assert disk.calls == 2


async def test_a_read_does_not_reveal_a_commit_before_it_is_durable(
    db_path: Path, open_db: Callable[..., Database]
) -> None:
    disk = Disk(db_path, hold=True)
    db = open_db(disk)
    write = asyncio.ensure_future(db.run(_add, db, "Acme"))
    await disk.wait_for_call()
    read = asyncio.ensure_future(db.run(_names, db))  # it sees the commit…
    assert await _not_done_after_a_while(read)  # …so it waits for the same sync
    disk.let_through()
    assert await asyncio.wait_for(read, WAIT) == ["Acme"]
    await write
    assert disk.calls == 1
    # With nothing left to sync, reads do not wait for the disk.
    assert await db.run(_names, db) == ["Acme"]
    assert disk.calls == 1


async def test_a_failed_fsync_fails_the_write_and_every_later_one(
    db_path: Path, open_db: Callable[..., Database]
) -> None:
    disk = Disk(db_path, fail=True)
    db = open_db(disk)
    with pytest.raises(CommitNotDurable, match="Input/output error"):
        await db.run(_add, db, "Acme")
    # The kernel may have dropped what it could not write and report the next fsync as a
    # success: nothing is acknowledged any more, and no fsync is tried again.
    disk.fail = False
    with pytest.raises(CommitNotDurable):
        await db.run(_add, db, "Globex")
    with pytest.raises(CommitNotDurable):
        await db.run(_names, db)
    assert disk.calls == 1


async def test_closing_syncs_for_whoever_still_waits(
    db_path: Path, open_db: Callable[..., Database]
) -> None:
    disk = Disk(db_path, hold=True)
    db = open_db(disk)
    first = asyncio.ensure_future(db.run(_add, db, "First"))
    await disk.wait_for_call()
    second = asyncio.ensure_future(db.run(_add, db, "Second"))
    await asyncio.sleep(0)  # `second` committed and waits for the next fsync
    disk.let_through(2)
    db.close()  # as the app's shutdown does: on the event loop, while both wait
    assert disk.calls == 2  # it returned once both were synced
    await asyncio.wait_for(asyncio.gather(first, second), WAIT)
    assert disk.visible_then[-1] == ["First", "Second"]
    with pytest.raises(RuntimeError, match="closed"):  # never acknowledged without a sync
        await db.run(_add, db, "Too Late")


async def test_the_syncer_follows_the_wal_file_when_it_is_replaced(db_path: Path) -> None:
    """SQLite deletes the WAL when its last connection closes and creates it again later."""
    disk = Disk(db_path)
    with sqlite3.connect(db_path) as connection:
        connection.execute("CREATE TABLE companies (name TEXT)")
    wal = Path(f"{db_path}-wal")
    syncer = WalSyncer(str(db_path), disk.fsync)
    try:
        files = []
        for content in (b"one", b"two"):
            wal.unlink(missing_ok=True)
            wal.write_bytes(content)
            syncer.committed()
            await asyncio.wait_for(syncer.durable(), WAIT)
            files.append(disk.wal_file())
        assert disk.synced_files[0] == files[0]
        assert disk.synced_files[-1] == files[1]
        wal.unlink()  # gone: its commits were checkpointed into the database file
        syncer.committed()
        await asyncio.wait_for(syncer.durable(), WAIT)
        assert not syncer.behind
    finally:
        syncer.close()


async def test_normal_mode_never_waits_for_the_disk(
    db_path: Path, open_db: Callable[..., Database]
) -> None:
    disk = Disk(db_path)
    db = open_db(disk, sqlite_sync="normal")
    await db.run(_add, db, "Acme")
    _add(db, "Globex")
    assert disk.calls == 0
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 1  # NORMAL


async def test_commits_outside_the_syncer_sync_themselves(
    db_path: Path, open_db: Callable[..., Database]
) -> None:
    """Operator commands and migrations use the pool: SQLite syncs each commit (FULL)."""
    disk = Disk(db_path)
    db = open_db(disk)
    _add(db, "Acme")
    assert disk.calls == 0
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
    # The connection `run` kept goes back to the pool as the pool configured it.
    await db.run(_add, db, "Globex")
    db.close()
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2


def test_the_mode_is_a_setting() -> None:
    assert Settings.from_env({}).sqlite_sync == "full"
    assert Settings.from_env({"MFADESK_SQLITE_SYNC": " Normal "}).sqlite_sync == "normal"
    assert Settings.from_env({"MFADESK_SQLITE_SYNC": "full"}).sqlite_sync == "full"
    with pytest.raises(SettingsError, match="MFADESK_SQLITE_SYNC must be full or normal"):
        Settings.from_env({"MFADESK_SQLITE_SYNC": "off"})


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_write_the_disk_refuses_is_answered_500(make_stack: StackFactory) -> None:
    stack = make_stack()
    disk = Disk(Path(stack.settings.database_url.removeprefix("sqlite:///")), fail=True)
    database = Database(stack.settings.database_url, wal_fsync=disk.fsync)
    app = create_app(stack.settings, stack.env, database=database)
    with LiveServer(app, free_port()) as server:
        response = httpx.patch(
            f"{server.base_url}/AdminInterface/restapi/v1/users/"
            f"{stack.tenant.user('alice')}/sidTokens/disable",
            json={"tokenSerialNumber": TOKEN_ALICE},
            headers={"Authorization": f"Bearer {stack.jwt()}"},
        )
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
    assert disk.calls == 1
