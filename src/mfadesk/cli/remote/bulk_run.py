"""Running the rows of a bulk file: concurrent, journaled, stoppable.

`concurrency` workers share one `AsyncAdminClient` (so a 429 holds all of them back). A row is
done when its journal entry is on disk; an issued emergency tokencode reaches the codes file
first. A stop (signal, --limit, or a service that cannot be reached) lets the rows in flight
finish and be journaled; rows never started stay for the next run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence

from mfadesk.cli.remote.actions import ActionRefused, UserDirectory
from mfadesk.cli.remote.bulk_actions import apply
from mfadesk.cli.remote.bulk_rows import BulkRow
from mfadesk.cli.remote.codes_file import CodesFile
from mfadesk.cli.remote.journal import Entry, Journal
from mfadesk.cli.remote.session import RemoteError, ServiceUnreachable
from mfadesk.client import (
    ApiError,
    AsyncAdminClient,
    AuthenticationFailed,
    MfadeskClientError,
    RateLimited,
    TransportError,
)
from mfadesk.client.retry import RETRYABLE_GATEWAY_STATUSES


class StopRun(Exception):
    """A failure that is not the row's fault: stop, leave the row for the next run."""

    def __init__(self, error: RemoteError) -> None:
        super().__init__(str(error))
        self.error = error


def _stop_for(error: MfadeskClientError) -> StopRun | None:
    if isinstance(error, AuthenticationFailed):
        return StopRun(RemoteError(f"the service refused the key: {error}"))
    if isinstance(error, TransportError | RateLimited):
        return StopRun(ServiceUnreachable(f"the service cannot be reached: {error}"))
    if isinstance(error, ApiError) and error.status in RETRYABLE_GATEWAY_STATUSES:
        return StopRun(ServiceUnreachable(f"the service is unavailable: {error}"))
    return None


class BulkRunner:
    def __init__(
        self,
        client: AsyncAdminClient,
        journal: Journal,
        codes: CodesFile | None,
        *,
        concurrency: int,
        on_done: Callable[[BulkRow, Entry], None] = lambda row, entry: None,
    ) -> None:
        self._client = client
        self._users = UserDirectory(client)
        self._journal = journal
        self._codes = codes
        self._concurrency = concurrency
        self._on_done = on_done
        self._write_lock = asyncio.Lock()
        self._user_locks: dict[str, asyncio.Lock] = {}
        self.stop = asyncio.Event()
        self.stopped_by: StopRun | None = None

    async def run(self, rows: Sequence[BulkRow]) -> None:
        queue = iter(rows)
        async with asyncio.TaskGroup() as workers:
            for _ in range(min(self._concurrency, len(rows))):
                workers.create_task(self._work(queue))

    async def _work(self, queue: Iterator[BulkRow]) -> None:
        for row in queue:
            if self.stop.is_set():
                return
            # Rows naming the same user run one at a time, in file order (locks are FIFO and a
            # row is taken from the queue and queued for its lock without yielding between).
            lock = self._user_locks.setdefault(row.lock_key, asyncio.Lock())
            try:
                async with lock:
                    if self.stop.is_set():  # waited for its user's row; not started: pending
                        return
                    entry = await self._run_row(row)
            except StopRun as stop:
                self.stopped_by = self.stopped_by or stop
                self.stop.set()
                return
            self._on_done(row, entry)

    async def _run_row(self, row: BulkRow) -> Entry:
        try:
            applied = await apply(self._client, self._users, row)
        except MfadeskClientError as error:
            stop = _stop_for(error)
            if stop is not None:
                raise stop from error
            entry = _failure(row, error)
        except ActionRefused as error:
            entry = Entry(row.number, ok=False, description=str(error))
        else:
            entry = Entry(
                row.number, ok=True, status=200, userId=applied.user_id, detail=applied.detail
            )
            if applied.issued is not None:
                assert self._codes is not None
                await self._write(
                    self._codes.write, row.number, row.user, applied.user_id, applied.issued
                )
        await self._write(self._journal.record, entry)
        return entry

    async def _write(self, fn: Callable[..., None], *args: object) -> None:
        """Durable writes (fsync) off the event loop, one at a time."""
        async with self._write_lock:
            await asyncio.to_thread(fn, *args)


def _failure(row: BulkRow, error: MfadeskClientError) -> Entry:
    if isinstance(error, ApiError):
        return Entry(
            row.number,
            ok=False,
            status=error.status,
            code=error.code,
            description=error.description,
        )
    return Entry(row.number, ok=False, description=str(error))
