"""The running service synchronises each LDAP source on its interval, one process of the
deployment at a time (the scheduler's lease), besides the per-source lease every sync takes.

The lease holder remembers when it last synchronised each source; a process that takes over
(the holder stopped or died) syncs every source at its first tick, then on their intervals.
The directory is read and the chunks applied on a thread of their own: the event loop never
waits for the directory, and live requests wait at most for one chunk's transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from mfadesk.api.scheduler import Job, Lease
from mfadesk.domain.company import Company
from mfadesk.domain.errors import DomainError
from mfadesk.services.context import ServiceEnv
from mfadesk.services.directory import DirectoryAccess
from mfadesk.services.ldap_sync import ldap_sources, sync_source
from mfadesk.services.provisioning import Operator
from mfadesk.store.database import Database
from mfadesk.store.unit_of_work import UnitOfWork

log = logging.getLogger("mfadesk.ldap_sync")
LDAP_SYNC_LEASE = "ldap-sync"
T = TypeVar("T")


def _sources(db: Database, env: ServiceEnv) -> list[tuple[Company, DirectoryAccess]]:
    with db.unit_of_work(readonly=True) as uow:
        return ldap_sources(uow, env)


def _transaction(
    db: Database, env: ServiceEnv
) -> Callable[[Callable[[UnitOfWork, Operator], T]], T]:
    def transaction(fn: Callable[[UnitOfWork, Operator], T]) -> T:
        operator = Operator.start(env)
        with db.unit_of_work() as uow:
            return fn(uow, operator)

    return transaction


def ldap_sync_job(tick_seconds: float) -> Job:
    last_run: dict[str, datetime] = {}  # source id -> when this process last synchronised it

    async def run(lease: Lease) -> None:
        db, env = lease.db, lease.env
        for company, access in await asyncio.to_thread(_sources, db, env):
            source, now = access.source, env.clock()
            interval = timedelta(seconds=access.settings.sync_interval_seconds)
            previous = last_run.get(source.id)
            if previous is not None and now < previous + interval:
                continue
            last_run[source.id] = now
            try:
                report = await asyncio.to_thread(
                    sync_source, _transaction(db, env), company, access, holder=lease.holder
                )
                log.info("identity source %r synchronised: %s", source.name, report.summary())
            except DomainError as error:
                log.warning(
                    "identity source %r not synchronised: %s", source.name, error.description
                )
            if not await lease.renew():
                return

    return Job(LDAP_SYNC_LEASE, tick_seconds, run)
