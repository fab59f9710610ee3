"""Revision 0002 keeps tokens assigned before it with a best-known assignment date."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import column, insert, table

from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.store.database import Database
from mfadesk.store.migrate import _MIGRATIONS, upgrade
from mfadesk.store.tables import companies, hardware_tokens, users

CHANGED = datetime(2026, 11, 22, 7, 10, tzinfo=UTC)


def test_assigned_tokens_get_their_last_change_as_assignment(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with db.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.commit()
    with db.engine.begin() as connection:
        connection.execute(
            insert(companies).values(
                id="c",
                name="Acme",
                eac_locked=False,
                eac_default_validity_minutes=60,
                eac_one_time_use=False,
                eac_code_length=8,
                eac_alphabet="ABC",
                eac_offline_validity_minutes=60,
            )
        )
        connection.execute(
            insert(users).values(
                id="u", company_id="c", email="u@x", first_name="", last_name="", status="Enabled"
            )
        )
        for serial, user_id in (("assigned", "u"), ("spare", None)):
            row = {
                "serial": serial,
                "company_id": "c",
                "status": TokenStatus.ENABLED.value,
                "user_id": user_id,
                "name": serial,
                "status_changed_at": CHANGED,
                "status_changed_by": "old@x",
                "pin_set": False,
                "digits": 6,
                "interval_seconds": 60,
            }
            # Only the columns revision 0001 has: later ones (and their defaults) do not exist yet.
            legacy = table(hardware_tokens.name, *(column(name) for name in row))
            connection.execute(insert(legacy).values(row))
    upgrade(db.engine)
    with db.unit_of_work() as uow:
        assigned = uow.hardware_tokens.get("c", "assigned")
        spare = uow.hardware_tokens.get("c", "spare")
    db.close()
    assert assigned is not None and spare is not None
    assert (assigned.assigned_at, assigned.assigned_by) == (CHANGED, "old@x")
    assert (spare.assigned_at, spare.assigned_by) == (None, None)
