"""The running service removes users marked deleted seven days after the mark."""

from __future__ import annotations

import logging

from mfadesk.api.scheduler import Job, Lease
from mfadesk.services.user_removal import PURGED_BY_SERVICE, purge_marked_users

log = logging.getLogger("mfadesk.purge")
PURGE_LEASE = "purge-marked-users"


def purge_job(interval_seconds: float) -> Job:
    async def run(lease: Lease) -> None:
        db, env = lease.db, lease.env
        purged = 0
        # A batch at a time (each user in a short transaction of its own), renewing the
        # lease between batches: a SQLite unit of work runs on the event loop.
        while True:
            batch = await db.run(purge_marked_users, db.unit_of_work, env, PURGED_BY_SERVICE)
            purged += len(batch.purged)
            if batch.finished or not await lease.renew():
                break
        if purged:
            log.info("purged %d users marked deleted seven days ago or more", purged)

    return Job(PURGE_LEASE, interval_seconds, run)
