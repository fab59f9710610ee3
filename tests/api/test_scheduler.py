"""The service's periodic jobs run in one process of a deployment at a time (a lease in the
database), and another takes over when that one stops (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mfadesk.api.scheduler import Job, Lease, Scheduler
from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.services.context import ServiceEnv
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from tests.support.clock import MutableClock


async def test_one_process_at_a_time_runs_a_job(
    database_url: str, tmp_path: Path, clock: MutableClock
) -> None:
    env = ServiceEnv(keys=load_or_create_server_keys(tmp_path / "secret.key"), clock=clock)
    first, second = Database(database_url), Database(database_url)  # as two worker processes
    upgrade(first.engine)
    runs: list[str] = []

    async def job(lease: Lease) -> None:
        runs.append(lease.holder)
        assert await lease.renew()

    one = Scheduler(first, env, [Job("job", 0.05, job)], holder="one")
    two = Scheduler(second, env, [Job("job", 0.05, job)], holder="two")
    try:
        one.start()
        await asyncio.sleep(0.3)
        two.start()
        await asyncio.sleep(0.5)
        assert len(runs) >= 5 and set(runs) == {"one"}
        await one.stop()  # lets the lease go
        taken_over = len(runs)
        await asyncio.sleep(0.5)
        assert runs[taken_over:] and set(runs[taken_over:]) == {"two"}
    finally:
        await one.stop()
        await two.stop()
        first.close()
        second.close()
