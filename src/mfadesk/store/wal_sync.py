"""Group commit for SQLite: one fsync of the write-ahead log makes a batch of commits durable.

The connections that serve requests commit with ``synchronous=NORMAL``: COMMIT writes the
transaction's frames, the last one marked as a commit, into the ``-wal`` file and returns without
syncing it. `Database.run` then does not return — the reply does not go out — until this syncer
has fsynced that file *after* the commit: one fsync, on a thread of its own, for every commit
that completed before it began, however many requests they came from. ``synchronous=FULL``
would instead sync inside each COMMIT, while holding the write lock, one after the other. Why an
fsync of the WAL after COMMIT is as durable as SQLite's own: docs/architecture.md ("Durable
SQLite commits by group commit").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from queue import SimpleQueue
from typing import Literal

SqliteSync = Literal["full", "normal"]

Fsync = Callable[[int], None]
# fdatasync flushes the data and the metadata needed to read it back (the file's size): all
# recovery needs from the WAL; fsync where there is no fdatasync.
DEFAULT_FSYNC: Fsync = getattr(os, "fdatasync", os.fsync)

# While commits come from several requests at once, fsyncs begin at most this often: each costs
# the process some 100-200 µs of CPU (measured on our VMs), more than the requests it covers
# when only two or three arrived during the previous one. A lone request never waits for it.
GROUP_WINDOW = 0.004

log = logging.getLogger("mfadesk.store")


class CommitNotDurable(Exception):
    """The WAL could not be synced: a commit may be lost on power failure, so it is not
    acknowledged."""


class _Batch:
    """Everyone waiting for the same fsync."""

    __slots__ = ("covered", "waiting")

    def __init__(self) -> None:
        self.waiting: list[asyncio.Future[Exception | None]] = []
        self.covered = 0  # commits made before its fsync began

    def join(self) -> asyncio.Future[Exception | None]:
        future: asyncio.Future[Exception | None] = asyncio.get_running_loop().create_future()
        self.waiting.append(future)
        return future


def _settle(waiting: list[asyncio.Future[Exception | None]], failure: Exception | None) -> None:
    for future in waiting:
        if not future.done():  # a cancelled waiter
            future.set_result(failure)


class WalSyncer:
    """Makes the commits of one process's connections durable, many per fsync (see the module's
    docstring). `committed` is called right after each write transaction's COMMIT (any thread),
    `durable` awaited on the event loop by whoever must not answer before those commits are on
    disk."""

    def __init__(
        self, database_path: str, fsync: Fsync = DEFAULT_FSYNC, window: float = GROUP_WINDOW
    ) -> None:
        self._wal_path = database_path + "-wal"
        self._directory = os.path.dirname(os.path.abspath(database_path))
        self._fsync = fsync
        self._window = window
        self._lock = threading.Lock()
        self._wakeups: SimpleQueue[None] = SimpleQueue()
        self._next: _Batch | None = None  # waiting for an fsync that has not begun
        self._in_flight: _Batch | None = None  # waiting for the fsync under way
        self._committed = 0  # write transactions committed so far
        self._durable = 0  # how many of them an fsync has covered
        self._failure: Exception | None = None  # sticky: see `_sync_wal`
        self._closed = False
        self._thread: threading.Thread | None = None
        self._fd: int | None = None  # the WAL file, kept open while it is not deleted

    def committed(self) -> None:
        with self._lock:
            self._committed += 1

    @property
    def behind(self) -> bool:
        """Whether a commit of this process is not known to be durable yet."""
        return self._durable != self._committed or self._failure is not None

    async def durable(self) -> None:
        """Return once every commit made so far is on disk; `CommitNotDurable` if it cannot
        be."""
        failure = await self._join()
        if failure is not None:
            raise CommitNotDurable(f"fsync of the SQLite WAL failed: {failure!r}") from failure

    def _join(self) -> asyncio.Future[Exception | None]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the database is closed")
            target = self._committed
            in_flight = self._in_flight
            if self._failure is not None or target <= self._durable:
                future: asyncio.Future[Exception | None] = (
                    asyncio.get_running_loop().create_future()
                )
                future.set_result(self._failure)
                return future
            if in_flight is not None and target <= in_flight.covered:
                return in_flight.join()  # a reader of commits that fsync covers
            batch = self._next
            if batch is not None:
                return batch.join()
            batch = self._next = _Batch()
            future = batch.join()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="mfadesk-wal-sync", daemon=True
                )
                self._thread.start()
        self._wakeups.put(None)
        return future

    def _run(self) -> None:
        began, crowded = 0.0, False
        while True:
            with self._lock:
                batch, closing = self._next, self._closed
            if batch is None:
                if closing:
                    return
                self._wakeups.get()
                continue
            if crowded and not closing:
                # Requests arrive together: let those the loop is serving join this fsync
                # rather than pay for another (see GROUP_WINDOW).
                time.sleep(max(0.0, began + self._window - time.monotonic()))
            began = time.monotonic()
            with self._lock:
                self._next, self._in_flight = None, batch
                batch.covered = self._committed  # every one of them has written its frames
            failure = self._sync_wal()
            with self._lock:
                if failure is None:
                    self._durable = max(self._durable, batch.covered)
                self._in_flight = None
            crowded = len(batch.waiting) > 1
            loops: dict[asyncio.AbstractEventLoop, list[asyncio.Future[Exception | None]]] = {}
            for future in batch.waiting:
                loops.setdefault(future.get_loop(), []).append(future)
            for loop, waiting in loops.items():
                with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                    loop.call_soon_threadsafe(_settle, waiting, failure)

    def _sync_wal(self) -> Exception | None:
        """Fsync the WAL file the commits wrote to. Once an fsync has failed every later one
        fails too: the kernel may have dropped the pages it could not write and report the
        next fsync as a success (Linux does), so nothing after it could be trusted."""
        if self._failure is not None:
            return self._failure
        try:
            self._open_current_wal()
            if self._fd is not None:
                self._fsync(self._fd)
        except Exception as error:  # whatever it is, the commits are not known to be on disk
            log.critical(
                "fsync of the SQLite WAL %s failed (%s): writes are no longer acknowledged;"
                " check the disk and restart mfadesk",
                self._wal_path,
                error,
            )
            self._failure = error
            return error
        return None

    def _open_current_wal(self) -> None:
        """Keep an fd on the file named ``<database>-wal`` while it stays in the directory.
        SQLite deletes it only when the last connection closes, after a checkpoint has copied
        and synced everything into the database file: a commit whose WAL is gone is durable
        already."""
        if self._fd is not None:
            if os.fstat(self._fd).st_nlink > 0:
                return
            self._close_fd()
        try:
            self._fd = os.open(self._wal_path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return
        self._sync_directory()

    def _sync_directory(self) -> None:
        """The WAL's name in its directory must survive too. SQLite syncs the directory itself
        when its first sync of a new WAL (the header's) happens; this is the belt to those
        braces, once per WAL file. Errors are ignored as SQLite does: not every system can
        fsync a directory."""
        try:
            fd = os.open(self._directory, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError as error:
            log.debug("fsync of %s failed: %s", self._directory, error)
        finally:
            os.close(fd)

    def _close_fd(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def close(self) -> None:
        """Sync for whoever still waits, then stop."""
        with self._lock:
            self._closed = True
            thread = self._thread
        self._wakeups.put(None)
        if thread is not None:
            thread.join()
        self._close_fd()
