"""Periodic jobs of the running service, each done by one process of the deployment at a time.

Every worker (of every host) runs the scheduler. Before each run of a job, a worker takes the
job's lease in the database (or renews it, when it is the one holding it); the others skip the
run. The holder keeps the lease from run to run, so one process does a job while it lives; when
it stops (and releases the lease) or dies (and the lease expires), another takes over at its
next tick. A job renews the lease as it goes (`Lease.renew`) and stops when it has lost it.
Used for the purge of users marked deleted; directory synchronisations can use it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from mfadesk.services.context import ServiceEnv
from mfadesk.services.leases import release_lease, take_lease
from mfadesk.store.database import Database

log = logging.getLogger("mfadesk.scheduler")
FIRST_RUN_AFTER = 5.0  # seconds after start-up (at most: sooner if the interval is shorter)


@dataclass(slots=True)
class Lease:
    """A job's hold on its lease, which it renews while it works."""

    db: Database
    env: ServiceEnv
    name: str
    holder: str
    ttl: timedelta

    async def renew(self) -> bool:
        """Take the lease again for a whole `ttl`; False if another process has it now."""
        return await self.db.run(
            take_lease, self.db.unit_of_work, self.env, self.name, self.holder, self.ttl
        )


@dataclass(frozen=True, slots=True)
class Job:
    name: str  # also the lease's name
    interval: float  # seconds from the start of one run to the next
    run: Callable[[Lease], Awaitable[None]]

    @property
    def ttl(self) -> timedelta:
        # Beyond the next tick, so the holder keeps it; short enough that a dead one's
        # work is taken over within a few intervals.
        return timedelta(seconds=2 * self.interval + 60)


@dataclass
class Scheduler:
    db: Database
    env: ServiceEnv
    jobs: list[Job]
    holder: str = ""
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> None:
        self.holder = self.holder or self.env.random.uuid4()
        self._tasks = [asyncio.create_task(self._loop(job), name=job.name) for job in self.jobs]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        for job in self.jobs:
            with contextlib.suppress(Exception):
                await self.db.run(
                    release_lease, self.db.unit_of_work, self.env, job.name, self.holder
                )

    async def _loop(self, job: Job) -> None:
        await asyncio.sleep(min(job.interval, FIRST_RUN_AFTER))
        lease = Lease(self.db, self.env, job.name, self.holder, job.ttl)
        while True:
            try:
                if await lease.renew():
                    await job.run(lease)
            except Exception:
                log.exception(
                    "periodic job %s failed; trying again in %s s", job.name, job.interval
                )
            await asyncio.sleep(job.interval)
