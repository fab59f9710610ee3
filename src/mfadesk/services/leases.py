"""Leases: work that one process of a deployment does at a time (see `store.leases`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from mfadesk.services.context import ServiceEnv
from mfadesk.store.unit_of_work import UnitOfWork


def take_lease(
    unit_of_work: Callable[[], UnitOfWork],
    env: ServiceEnv,
    name: str,
    holder: str,
    ttl: timedelta,
) -> bool:
    """Take the lease `name` for `holder`, or renew it, for `ttl` from now; False while
    another holder has it."""
    now = env.clock()
    with unit_of_work() as uow:
        return uow.leases.take(name, holder, now, now + ttl)


def release_lease(
    unit_of_work: Callable[[], UnitOfWork], env: ServiceEnv, name: str, holder: str
) -> None:
    with unit_of_work() as uow:
        uow.leases.release(name, holder, env.clock())
