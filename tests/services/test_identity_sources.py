"""Identity sources on SQLite and PostgreSQL: the users there were join `local` (migration
0012), sources are listed with their users, and removed only as decided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from mfadesk.domain.audit import Action
from mfadesk.domain.errors import BadRequest, Conflict, NotFound
from mfadesk.domain.identity_sources import IdentitySource, SourceKind
from mfadesk.domain.import_rows import USER_FORM, header_positions
from mfadesk.domain.users import UserStatus
from mfadesk.otp.source_secrets import SourceSecrets
from mfadesk.services.identity_sources import list_sources, remove_source_step
from mfadesk.services.provisioning import Operator
from mfadesk.services.user_import import import_users
from mfadesk.store.database import create_db_engine
from mfadesk.store.migrate import _MIGRATIONS, upgrade
from mfadesk.store.tables import identity_sources, users
from mfadesk.store.timestamps import as_utc
from tests.support.desk import Desk, records


def test_users_from_before_belong_to_their_companys_local_source(database_url: str) -> None:
    engine = create_db_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    try:
        upgrade(engine)
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
            connection.commit()
        with engine.begin() as connection:
            for company in ("c1", "c2"):
                connection.execute(
                    text(
                        "INSERT INTO companies (id, name, eac_locked, eac_default_validity_minutes,"
                        " eac_one_time_use, eac_code_length, eac_alphabet,"
                        " eac_offline_validity_minutes) VALUES (:c, :c, false, 60, false, 8,"
                        " '0123456789', 0)"
                    ),
                    {"c": company},
                )
            for user, company, marked in (
                ("u1", "c1", False),
                ("u2", "c1", True),
                ("u3", "c2", False),
            ):
                connection.execute(
                    text(
                        "INSERT INTO users (id, company_id, email, first_name, last_name, status,"
                        " mark_deleted) VALUES (:u, :c, :e, '', '', 'Disabled', :m)"
                    ),
                    {"u": user, "c": company, "e": f"{user}@x", "m": marked},
                )
            connection.execute(  # a row that refers to a user (SQLite rebuilds `users`)
                text(
                    "INSERT INTO hardware_tokens (serial, company_id, status, user_id,"
                    " status_changed_at, status_changed_by, pin_set, digits, interval_seconds)"
                    " VALUES ('1', 'c1', 'Enabled', 'u1', :t, 'x', false, 6, 60)"
                ),
                {"t": datetime.now(UTC)},
            )
        before = datetime.now(UTC)
        upgrade(engine)
        with engine.connect() as connection:
            sources = {row.company_id: row for row in connection.execute(select(identity_sources))}
            joined = connection.execute(
                select(users.c.id, users.c.source_id, users.c.mark_deleted_at).order_by(users.c.id)
            ).all()
    finally:
        upgrade(engine)
        engine.dispose()
    assert {(r.name, r.kind, r.config) for r in sources.values()} == {("local", "local", "{}")}
    assert [(u.id, u.source_id) for u in joined] == [
        ("u1", sources["c1"].id),
        ("u2", sources["c1"].id),
        ("u3", sources["c2"].id),
    ]
    # The marked user's seven days start now, not at some unknown time in the past.
    assert joined[0].mark_deleted_at is None
    assert before - timedelta(seconds=5) <= as_utc(joined[1].mark_deleted_at) <= datetime.now(UTC)


def hire(desk: Desk, *rows: str, source: str = "hr") -> None:
    positions = header_positions(["emailAddress", "firstName", "lastName"], USER_FORM)
    import_users(
        desk.transaction, records(*rows), positions, company=None, source=source, file_name="f"
    )


def remove(desk: Desk, name: str, force: bool = False) -> int:
    """Every step of a removal, as `mfadesk source remove` runs them; users moved."""
    moved = 0
    while True:

        def step(uow: Any, op: Operator, moved: int = moved) -> int | None:
            company = uow.companies.get(desk.tenant.company_id)
            return remove_source_step(uow, op, company, name, force=force, moved=moved)

        done = desk.transaction(step)
        if done is None:
            return moved
        moved += done


def listing(desk: Desk) -> list[tuple[str, SourceKind, int]]:
    def read(uow: Any, op: Operator) -> list[tuple[str, SourceKind, int]]:
        company = uow.companies.get(desk.tenant.company_id)
        return [(s.source.name, s.source.kind, s.users) for s in list_sources(uow, company)]

    return desk.transaction(read)


def test_a_source_with_users_goes_only_by_force_and_its_users_stay_disabled(desk: Desk) -> None:
    hire(desk, "ivan@example.com,Ivan,I", "judy@example.com,Judy,J")
    hire(desk, "kim@example.com,Kim,K", source="contractors")
    assert listing(desk) == [
        ("contractors", SourceKind.CSV, 1),
        ("hr", SourceKind.CSV, 2),
        ("local", SourceKind.LOCAL, 4),
    ]
    with pytest.raises(Conflict) as refused:
        remove(desk, "hr")
    assert refused.value.description == (
        "identity source 'hr' has 2 users: remove them first, or use --force to move them to "
        "'local', disabled"
    )
    assert remove(desk, "hr", force=True) == 2
    ivan = desk.user("ivan@example.com")
    assert ivan is not None and ivan.status is UserStatus.DISABLED
    assert listing(desk) == [("contractors", SourceKind.CSV, 1), ("local", SourceKind.LOCAL, 6)]
    assert [e.event.message for e in desk.audited(Action.REMOVE_IDENTITY_SOURCE)] == [
        "2 users of identity source 'hr' moved to 'local', disabled, to remove the source",
        "Identity source 'hr' (csv) removed (2 users moved to 'local')",
    ]
    with pytest.raises(NotFound):
        remove(desk, "hr")
    with pytest.raises(BadRequest) as local:
        remove(desk, "local", force=True)
    assert local.value.description == "the 'local' source cannot be removed"


def test_an_empty_source_is_removed_at_once(desk: Desk) -> None:
    hire(desk, "nobody,At,All")  # rejected: the source is made, no user
    assert remove(desk, "hr") == 0
    assert [name for name, _, _ in listing(desk)] == ["local"]


def test_a_sources_secret_settings_are_stored_sealed(desk: Desk) -> None:
    box = SourceSecrets(desk.env.keys.source_secrets)

    def add(uow: Any, op: Operator) -> None:
        source = IdentitySource(
            "ldap-1",
            desk.tenant.company_id,
            "corp",
            SourceKind.LDAP,
            op.now,
            {"url": "ldaps://ldap.example", "baseDn": "dc=example"},
        )
        assert uow.sources.add(source, box.seal("ldap-1", {"bindPassword": "s3cret"}))
        assert not uow.sources.add(source)  # the name is taken: nothing written

    desk.transaction(add)
    with desk.db.unit_of_work() as uow:
        stored = uow.sources.by_name(desk.tenant.company_id, "corp")
        sealed = uow.sources.secrets("ldap-1")
    assert stored is not None and stored.config == {
        "url": "ldaps://ldap.example",
        "baseDn": "dc=example",
    }
    assert sealed is not None and b"s3cret" not in sealed
    assert box.open("ldap-1", sealed) == {"bindPassword": "s3cret"}
