"""The audit trail is append-only and hash-chained: edits and deletions are detected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, update

from mfadesk.domain.audit import Action, AuditEvent, Result, Target, TargetType
from mfadesk.services.audit import link_pending, verify_chain
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from mfadesk.store.tables import audit_events


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database.engine)
    with database.unit_of_work() as uow:
        for index in range(5):
            event = AuditEvent(
                occurred_at=datetime(2026, 11, 22, 7, 10, index, 123456, tzinfo=UTC),
                action=Action.DISABLE_HARDWARE_TOKEN,
                target=Target(TargetType.HARDWARE_TOKEN, f"serial-{index}", f"serial-{index}"),
                result=Result.SUCCESS,
                changed=True,
                message=f"event {index}",
                source_ip="127.0.0.1",
                admin_email="super@acme.example",
                admin_role="Super Admin",
            )
            uow.audit.append(event, f"00000000-0000-4000-8000-00000000000{index}")
    assert link_pending(database.unit_of_work) in (0, 5)  # in the chain, whatever the backend
    yield database
    database.close()


def test_intact_chain_verifies(db: Database) -> None:
    report = verify_chain(db.unit_of_work)
    assert report.ok and report.checked == 5


@pytest.mark.parametrize(
    "values",
    [{"admin_email": "someone@else"}, {"changed": False}, {"message": "nothing happened"}],
)
def test_edited_row_is_detected(db: Database, values: dict[str, object]) -> None:
    with db.engine.begin() as connection:
        connection.execute(update(audit_events).where(audit_events.c.seq == 3).values(**values))
    report = verify_chain(db.unit_of_work)
    assert not report.ok and report.broken_at == 3 and report.problem == "row 3 was altered"


def test_deleted_row_is_detected(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(delete(audit_events).where(audit_events.c.seq == 2))
    assert verify_chain(db.unit_of_work).problem == "row 2 is missing"


def test_deleted_newest_rows_are_detected(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(delete(audit_events).where(audit_events.c.seq >= 4))
    assert verify_chain(db.unit_of_work).problem == "rows after 3 were removed"
