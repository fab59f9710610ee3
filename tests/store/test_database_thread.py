"""SQLite's database thread keeps one connection and begins and ends its transactions on the
driver; Core statements and prepared ones inside them commit and roll back together."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from mfadesk.domain.company import Company
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    database = Database(sqlite_url)
    upgrade(database.engine)
    yield database
    database.close()


def _add(db: Database, name: str, fail: bool) -> None:
    with db.unit_of_work() as uow:
        uow.companies.add(Company(id=name, name=name))  # a Core statement
        assert uow.companies.get_by_name(name) is not None  # a prepared one, same transaction
        if fail:
            raise RuntimeError("the use case failed")


def _names(db: Database) -> list[str]:
    with db.unit_of_work(readonly=True) as uow:
        return [company.name for company in uow.companies.list()]


async def test_failures_roll_back_and_the_connection_carries_on(db: Database) -> None:
    with pytest.raises(RuntimeError, match="failed"):
        await db.run(_add, db, "Rolled Back", True)
    await db.run(_add, db, "Kept", False)
    with pytest.raises(RuntimeError, match="failed"):
        await db.run(_add, db, "Rolled Back Too", True)
    assert await db.run(_names, db) == ["Kept"]
    assert _names(db) == ["Kept"]  # seen from another connection too
    assert db.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
