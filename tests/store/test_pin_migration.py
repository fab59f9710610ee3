"""Migration 0011 on a database in use: credentials come out without a PIN (their next login
enters New PIN mode), companies with the default PIN policy, and an attempt waiting for a next
tokencode keeps waiting for it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import column, insert, table

from mfadesk.domain.pins import PinPolicy
from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.domain.securid_steps import Pending, Step
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from mfadesk.store.migrations import __file__ as migrations_init

AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    upgrade(database.engine)  # whatever happened, leave the schema current for the next test
    database.close()


def rows(table_name: str, /, **values: Any) -> Any:
    """An INSERT naming only the given columns (those revision 0009 has)."""
    return insert(table(table_name, *(column(key) for key in values))).values(values)


def test_existing_credentials_have_no_pin_and_pending_steps_survive(db: Database) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations_init).parent))
    upgrade(db.engine)  # from wherever the database is (a fresh file, or PostgreSQL at head)
    with db.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
        connection.commit()
    with db.engine.begin() as connection:
        connection.execute(
            rows(
                "companies",
                id="c",
                name="Old",
                eac_locked=False,
                eac_default_validity_minutes=60,
                eac_one_time_use=False,
                eac_code_length=8,
                eac_alphabet="0123456789",
                eac_offline_validity_minutes=0,
            )
        )
        user = {"company_id": "c", "first_name": "", "last_name": "", "status": "Enabled"}
        connection.execute(rows("users", id="u", email="u@x", mark_deleted=False, **user))
        changed = {"status_changed_at": AT, "status_changed_by": "old@x", "status": "Enabled"}
        connection.execute(
            rows(
                "hardware_tokens",
                serial="000100000001",
                company_id="c",
                user_id="u",
                pin_set=True,  # nothing set this before PINs existed, but it could be true
                digits=6,
                interval_seconds=60,
                **changed,
            )
        )
        connection.execute(rows("ds100_devices", serial="140100080", company_id="c", user_id="u"))
        connection.execute(
            rows(
                "ds100_credentials",
                serial="014010008031",
                device_serial="140100080",
                company_id="c",
                pin_set=True,
                **changed,
            )
        )
        connection.execute(
            rows("authn_keys", id="k", company_id="c", name="vpn", key_hash="h", created_at=AT)
        )
        connection.execute(
            rows(
                "authn_attempts",
                id="a",
                company_id="c",
                authn_key_id="k",
                subject_name="u@x",
                user_id="u",
                status="CHALLENGE",
                last_message_id="m",
                timeout_seconds=180,
                expires_at=AT + timedelta(minutes=3),
                keep=False,
                created_at=AT,
                successful_methods="",
                pending_kind="SID700",
                pending_serial="000100000001",
                pending_interval=29_000_000,
                session_attributes="[]",
            )
        )
    upgrade(db.engine)
    with db.unit_of_work() as uow:
        token = uow.hardware_tokens.get("c", "000100000001")
        otp = uow.ds100.get_credential("c", "014010008031")
        credentials = uow.securid_credentials.of_user("c", "u")
        company = uow.companies.get("c")
        attempt = uow.authn_attempts.get("a")
    assert token is not None and token.pin_set is False
    assert otp is not None and otp.pin_set is False
    assert [c.pin for c in credentials] == [None, None]
    assert company is not None and company.pin_policy == PinPolicy()  # required, 4-8 digits
    assert attempt is not None
    assert attempt.pending == Pending(
        Step.NEXT_TOKENCODE, CredentialKind.SID700, "000100000001", 29_000_000
    )
