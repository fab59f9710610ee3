"""The `local` identity source: where the users made by the command line belong."""

from __future__ import annotations

from datetime import datetime

from mfadesk.domain.identity_sources import LOCAL_SOURCE_NAME, IdentitySource
from mfadesk.services.context import ServiceEnv
from mfadesk.store.unit_of_work import UnitOfWork


def ensure_local_source(
    uow: UnitOfWork, env: ServiceEnv, company_id: str, now: datetime
) -> IdentitySource:
    """The company's `local` source, created with the company's first user (migration 0012
    gave the companies there were theirs)."""
    found = uow.sources.by_name(company_id, LOCAL_SOURCE_NAME)
    if found is not None:
        return found
    uow.sources.add(IdentitySource.local(env.random.uuid4(), company_id, now))
    created = uow.sources.by_name(company_id, LOCAL_SOURCE_NAME)  # ours, or a racer's
    assert created is not None
    return created
