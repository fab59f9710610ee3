"""Engines, and where blocking database work runs.

SQLite: a unit of work runs right on the thread that asks for it (the event loop's, when
serving), on a connection that thread keeps, and every write transaction starts with
``BEGIN IMMEDIATE`` so that processes serialise cleanly. Handing each unit of work to another
thread and back cost more than the work itself (two thread wake-ups and GIL hand-offs against
a transaction of some 100 µs that never waits on the network). The event loop never waits for
the write lock: when another process (or a long CLI transaction) holds it, the unit of work goes
to the database thread, and so does everything after it until that thread is idle again, so
that the process's own units of work keep their order. That thread tries again every
`LOCK_POLL_SECONDS` (for up to `BUSY_TIMEOUT_MS`): SQLite's own busy handler sleeps ever longer
(1, 2, 5, 10 … 100 ms), which under steady contention between worker processes left some
requests waiting close to a second.

Durability (``sqlite_sync``): by default ("full") a SQLite unit of work run here returns only
once its commit is on disk — the connections it runs on commit with ``synchronous=NORMAL`` and
`WalSyncer` fsyncs the WAL after their commits, one fsync for every commit that arrived
meanwhile — and every other connection (operator commands, migrations) commits with
``synchronous=FULL``. "normal" (opt-in) never waits for the disk: an OS crash or power loss may
lose the last acknowledged writes. PostgreSQL's commits are durable on their own.

PostgreSQL gets a small pool and as many threads, each unit of work checking a connection out
(pre-pinged): its work waits on the network, which the event loop must never do.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from queue import SimpleQueue
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool

from mfadesk.observability import metrics
from mfadesk.store.audit import AuditHead
from mfadesk.store.audit_linker import AuditLinker
from mfadesk.store.checkpoints import WalCheckpointer, defer_checkpoints
from mfadesk.store.migrate import schema_is_current
from mfadesk.store.unit_of_work import BUSY_TIMEOUT_MS, HeldConnection, UnitOfWork, is_busy
from mfadesk.store.wal_sync import DEFAULT_FSYNC, Fsync, SqliteSync, WalSyncer

P = ParamSpec("P")
T = TypeVar("T")

POSTGRES_THREADS = 8
LOCK_POLL_SECONDS = 0.0005


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_db_engine(
    url: str,
    *,
    pool_size: int = POSTGRES_THREADS,
    create: bool = True,
    sqlite_sync: SqliteSync = "full",
) -> Engine:
    """An engine configured for mfadesk's transaction discipline on either backend.

    With `create` False a SQLite file is only ever opened, never made (nor its folder): the
    commands that must not create a database use such an engine.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_size=pool_size, max_overflow=2, pool_pre_ping=True)
    path = parsed.database if parsed.database and parsed.database != ":memory:" else None
    if path and create:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    synchronous = "FULL" if sqlite_sync == "full" else "NORMAL"
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=4,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level: we issue BEGIN ourselves (see _begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if create:  # persistent: a database made by `create` is WAL already
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    if path and not create:

        @event.listens_for(engine, "do_connect")
        def _existing_file_only(
            _dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]
        ) -> None:
            cargs[:] = [Path(path).resolve().as_uri() + "?mode=rw"]
            cparams["uri"] = True

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        driver = connection.connection.dbapi_connection
        if driver.in_transaction:  # begun on the driver (`HeldConnection`): nothing to do
            return
        readonly = connection.get_execution_options().get("mfadesk_readonly", False)
        # Straight to the driver: this runs once per unit of work.
        cursor = driver.cursor()
        try:
            cursor.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")
        finally:
            cursor.close()

    return engine


def _defer_checkpoints(connection: Connection) -> None:
    defer_checkpoints(connection.connection.dbapi_connection)  # type: ignore[arg-type]


def _commit_without_sync(connection: Connection) -> None:
    """For a connection whose commits `WalSyncer` makes durable."""
    driver: Any = connection.connection.dbapi_connection
    driver.execute("PRAGMA synchronous=NORMAL")


def _resolve(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


class _Workers:
    """The database thread(s). Lighter than `run_in_executor`: one queue put to hand work over,
    one `call_soon_threadsafe` to hand the result back, no concurrent.futures.Future between."""

    def __init__(
        self, count: int, name: str, on_start: Callable[[], None], on_exit: Callable[[], None]
    ) -> None:
        self._count = count
        self._name = name
        self._on_start = on_start
        self._on_exit = on_exit
        self._queue: SimpleQueue[
            tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[[], Any]] | None
        ] = SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[[], T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if not self._threads:
            self._start()
        self._queue.put((loop, future, fn))
        return future

    def _start(self) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the database is closed")
            while len(self._threads) < self._count:
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        self._on_start()
        try:
            while (item := self._queue.get()) is not None:
                loop, future, fn = item
                result, error = None, None
                try:
                    result = fn()
                except BaseException as exc:
                    error = exc
                # A closed loop (RuntimeError) has nobody waiting any more.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_resolve, future, result, error)
                del item, future, result, error
        finally:
            self._on_exit()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join()


class Database:
    """The engine plus where its blocking calls run (see the module's docstring)."""

    def __init__(
        self,
        url: str,
        *,
        create: bool = True,
        sqlite_sync: SqliteSync = "full",
        wal_fsync: Fsync = DEFAULT_FSYNC,
        audit_after_commit: bool | None = None,
    ) -> None:
        self.url = url
        self.is_sqlite = is_sqlite_url(url)
        threads = 1 if self.is_sqlite else POSTGRES_THREADS
        self.engine = create_db_engine(
            url, pool_size=threads, create=create, sqlite_sync=sqlite_sync
        )
        self._local = threading.local()
        self._held: list[HeldConnection] = []
        self._held_lock = threading.Lock()
        self._audit_head = AuditHead()
        # How audit rows join the hash chain (store/audit.py): inline on SQLite, whose writers
        # take turns anyway; after the commit on PostgreSQL, so writers do not queue on the head.
        self.audit_after_commit = (
            not self.is_sqlite if audit_after_commit is None else audit_after_commit
        )
        self.audit_linker = AuditLinker(self.engine) if self.audit_after_commit else None
        path = self.engine.url.database
        file = path if self.is_sqlite and path and path != ":memory:" else None
        self._checkpointer = WalCheckpointer(file) if file else None
        self._syncer = WalSyncer(file, wal_fsync) if file and sqlite_sync == "full" else None
        self._workers = _Workers(threads, "mfadesk-db", self._hold, self._release_held)
        self._on_worker = 0  # SQLite units of work handed to the database thread, not yet done

    def unit_of_work(self, *, readonly: bool = False) -> UnitOfWork:
        held: HeldConnection | None = getattr(self._local, "held", None)
        return UnitOfWork(
            self.engine,
            readonly=readonly,
            held=held,
            audit_head=self._audit_head,
            audit_committed=self.audit_linker.committed if self.audit_linker else None,
        )

    def _hold(self) -> None:
        """On SQLite's database thread, keep one connection (opened on first use)."""
        if self.is_sqlite:
            self._local.held = self._held_connection()

    def _held_connection(self) -> HeldConnection:
        """A connection kept by one thread, its WAL checkpoints taken in the background."""
        configure: list[Callable[[Connection], None]] = []
        if self._checkpointer is not None:
            self._checkpointer.start()
            configure.append(_defer_checkpoints)
        if self._syncer is not None:
            configure.append(_commit_without_sync)

        def on_connect(connection: Connection) -> None:
            for step in configure:
                step(connection)

        held = HeldConnection(
            self.engine, on_connect, self._syncer.committed if self._syncer else None
        )
        with self._held_lock:
            self._held.append(held)
        return held

    def _release_held(self) -> None:
        held: HeldConnection | None = getattr(self._local, "held", None)
        if held is not None:
            self._local.held = None
            with self._held_lock:
                self._held.remove(held)
            held.close()

    def schema_is_current(self) -> bool:
        """Whether the schema is at the newest migration (raises if the database is away)."""
        with self.engine.connect() as connection:
            return schema_is_current(connection)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking database work (see `_run`), counting the driver's errors."""
        try:
            return await self._run(fn, *args, **kwargs)
        except SQLAlchemyError as error:
            metrics.database_error(type(error).__name__)
            raise

    async def _run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking database work: SQLite's right here unless its write lock is taken
        elsewhere, PostgreSQL's on the database threads (in the caller's context: its request
        id reaches the security log lines). With a `WalSyncer`, return (or raise) only once
        every commit this process made so far is durable: `fn`'s own, and any other that `fn`
        may have read."""
        if not self.is_sqlite:
            context = contextvars.copy_context()
            return await self._workers.submit(functools.partial(context.run, fn, *args, **kwargs))
        syncer = self._syncer
        if syncer is None:
            return await self._run_sqlite(fn, *args, **kwargs)
        try:
            return await self._run_sqlite(fn, *args, **kwargs)
        finally:
            if syncer.behind:
                await syncer.durable()

    async def _run_sqlite(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self._on_worker == 0:
            local = self._local
            inline: HeldConnection | None = getattr(local, "inline", None)
            if inline is None:
                inline = local.inline = self._held_connection()
            local.held = inline  # only while `fn` runs: other callers on this thread wait
            commits = inline.commits
            try:
                return fn(*args, **kwargs)
            except Exception as error:
                # Running `fn` again is safe only if none of its units of work committed.
                if not is_busy(error) or inline.commits != commits:
                    raise
            finally:
                local.held = None
        self._on_worker += 1
        try:
            context = contextvars.copy_context()
            work = functools.partial(self._when_not_busy, fn, *args, **kwargs)
            return await self._workers.submit(functools.partial(context.run, work))
        finally:
            self._on_worker -= 1

    def _when_not_busy(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """On the database thread: run `fn`, again and again while the file is busy."""
        held: HeldConnection = self._local.held
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            commits = held.commits
            try:
                return fn(*args, **kwargs)
            except Exception as error:
                if not is_busy(error) or held.commits != commits or time.monotonic() > deadline:
                    raise
            time.sleep(LOCK_POLL_SECONDS)

    def close(self) -> None:
        self._workers.close()
        if self.audit_linker is not None:
            self.audit_linker.close()  # after the last commits of the database threads
        if self._syncer is not None:
            self._syncer.close()  # after the last commits of the database thread
        with self._held_lock:
            held, self._held = self._held, []
        for connection in held:  # kept by threads that will not use them again
            connection.close()
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()
