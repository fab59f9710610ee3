"""The user event log's store: gap-free sequence numbers, paging by company and time window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from mfadesk.domain.company import Company
from mfadesk.domain.user_events import UserEvent, UserEventReason, UserEventResult
from mfadesk.services.user_events import user_event_page
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade

START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def event(company_id: str, minute: int, subject: str = "alice@acme.example") -> UserEvent:
    return UserEvent(
        occurred_at=START + timedelta(minutes=minute),
        company_id=company_id,
        subject_name=subject,
        result=UserEventResult.FAIL,
        reason=UserEventReason.WRONG_CREDENTIAL,
        authn_key_name="agent",
        method="SECURID",
        source_ip="10.0.0.1",
    )


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database.engine)
    with database.unit_of_work() as uow:
        for company_id in ("acme", "globex"):
            uow.companies.add(Company(id=company_id, name=company_id))
    yield database
    database.close()


def test_numbers_are_gap_free_growing_and_given_before_reading(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.user_events.append(event("acme", 0), "e-1")
    with pytest.raises(RuntimeError), db.unit_of_work() as uow:
        uow.user_events.append(event("acme", 1), "e-2")
        raise RuntimeError("the step fails after logging")
    with db.unit_of_work() as uow:
        uow.user_events.append(event("globex", 2), "e-3")
        assert uow.user_events.page("acme") == []  # not numbered yet: not exported yet
        assert uow.user_events.assign_sequence() == 2
        assert uow.user_events.assign_sequence() == 0
    with db.unit_of_work() as uow:
        uow.user_events.append(event("acme", 3), "e-4")
        first = user_event_page(uow, "acme", None, None, offset=0, limit=10)
        stored = first.events + uow.user_events.page("globex")
    assert first.total == 2
    assert sorted((s.seq, s.event_id) for s in stored) == [(1, "e-1"), (2, "e-3"), (3, "e-4")]
    assert stored[0].event == event("acme", 0)


def test_page_by_company_and_window(db: Database) -> None:
    with db.unit_of_work() as uow:
        for minute in range(10):
            uow.user_events.append(event("acme", minute), f"a-{minute}")
            uow.user_events.append(event("globex", minute), f"g-{minute}")
        uow.user_events.assign_sequence()
    with db.unit_of_work(readonly=True) as uow:
        repository = uow.user_events
        assert repository.count("acme") == 10
        after, until = START + timedelta(minutes=2), START + timedelta(minutes=7)
        assert repository.count("acme", after, until) == 5  # (2, 7]: minutes 3..7
        first = repository.page("acme", after, until, offset=0, limit=3)
        second = repository.page("acme", after, until, offset=3, limit=3)
        assert [s.event_id for s in first + second] == [f"a-{m}" for m in range(3, 8)]
        assert all(s.event.company_id == "acme" for s in first + second)
        seqs = [s.seq for s in first + second]
        assert seqs == sorted(seqs)
        assert repository.page("acme", until=START - timedelta(minutes=1)) == []
        assert repository.count("initech") == 0
