"""Leases on SQLite and PostgreSQL: one holder at a time, until it expires or is let go."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database.engine)
    yield database
    database.close()


def take(db: Database, holder: str, at: int, until: int) -> bool:
    with db.unit_of_work() as uow:
        return uow.leases.take(
            "job", holder, T0 + timedelta(seconds=at), T0 + timedelta(seconds=until)
        )


def test_one_holder_at_a_time_until_it_expires_or_lets_go(db: Database) -> None:
    assert take(db, "a", 0, 60)
    assert not take(db, "b", 10, 70)
    assert take(db, "a", 30, 90)  # renewed by its holder
    assert not take(db, "b", 89, 149)
    assert take(db, "b", 90, 150)  # expired: anyone may take it
    assert not take(db, "a", 91, 151)
    with db.unit_of_work() as uow:
        uow.leases.release("job", "a", T0 + timedelta(seconds=92))  # not a's: nothing
    assert not take(db, "a", 92, 152)
    with db.unit_of_work() as uow:
        uow.leases.release("job", "b", T0 + timedelta(seconds=93))
    assert take(db, "a", 93, 153)
    with db.unit_of_work() as uow:
        assert uow.leases.take("other", "b", T0, T0 + timedelta(seconds=1))  # its own row


def test_racing_takers_of_a_new_lease_get_one_winner(db: Database) -> None:
    start = threading.Barrier(4)
    won: list[str] = []

    def contend(holder: str) -> None:
        start.wait()
        if take(db, holder, 0, 60):
            won.append(holder)

    threads = [threading.Thread(target=contend, args=(f"h{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
