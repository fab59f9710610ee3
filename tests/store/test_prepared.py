"""Prepared statements run on the driver's cursor must read and write exactly what SQLAlchemy
Core would: same SQL, same value conversions, inside the unit of work's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, insert, select, update

from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import companies, identity_sources, users
from mfadesk.store.timestamps import as_utc

CHANGED_AT = datetime(2026, 11, 23, 9, 30, 15, 250000, tzinfo=UTC)
_BY_STATUS = Prepared(
    select(users.c.id, users.c.mark_deleted_at, users.c.mark_deleted)
    .where(users.c.status == bindparam("status"))
    .order_by(users.c.id)
)
_SET_FLAG = Prepared(
    update(users)
    .where(users.c.status == bindparam("b_status"))
    .values(mark_deleted=bindparam("flag"), mark_deleted_at=bindparam("at"))
)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database.engine)
    with database.engine.begin() as connection:
        connection.execute(
            insert(companies).values(
                id="c1",
                name="Acme",
                eac_default_validity_minutes=60,
                eac_code_length=8,
                eac_alphabet="0123456789",
                eac_offline_validity_minutes=60,
            )
        )
        connection.execute(
            insert(identity_sources).values(
                id="s1", company_id="c1", name="local", kind="local", config="{}",
                created_at=CHANGED_AT,
            )
        )  # fmt: skip
        for serial, status in (("t1", "Enabled"), ("t2", "Enabled"), ("t3", "Disabled")):
            connection.execute(
                insert(users).values(
                    id=serial,
                    company_id="c1",
                    source_id="s1",
                    email=f"{serial}@example.com",
                    status=status,
                    mark_deleted_at=CHANGED_AT,
                    mark_deleted=serial == "t1",
                )
            )
    yield database
    database.close()


def test_rows_match_what_core_reads(db: Database) -> None:
    with db.engine.begin() as connection:
        core = connection.execute(_BY_STATUS.statement, {"status": "Enabled"}).all()
        prepared = _BY_STATUS.all(connection, {"status": "Enabled"})
    assert [tuple(row) for row in prepared] == [tuple(row) for row in core]
    assert [row.id for row in prepared] == ["t1", "t2"]
    assert prepared[0].mark_deleted is True and prepared[1].mark_deleted is False
    assert prepared[0].mark_deleted_at.replace(tzinfo=UTC) == CHANGED_AT


def test_writes_convert_values_and_count_rows(db: Database) -> None:
    later = datetime(2026, 11, 24, 1, 2, 3, 456789, tzinfo=UTC)
    with db.engine.begin() as connection:
        assert _SET_FLAG.execute(connection, {"b_status": "Enabled", "flag": True, "at": later})
        assert _SET_FLAG.execute(connection, {"b_status": "Lost", "flag": True, "at": later}) == 0
    with db.engine.begin() as connection:
        rows = _BY_STATUS.all(connection, {"status": "Enabled"})
    assert [(row.mark_deleted, row.mark_deleted_at.replace(tzinfo=UTC)) for row in rows] == [
        (True, later),
        (True, later),
    ]


def test_prepared_writes_belong_to_the_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError), db.engine.begin() as connection:
        _SET_FLAG.execute(connection, {"b_status": "Enabled", "flag": False, "at": CHANGED_AT})
        raise RuntimeError("after the write")
    with db.engine.begin() as connection:
        assert _BY_STATUS.first(connection, {"status": "Enabled"}).mark_deleted is True


def test_one_row_means_one_row_and_every_parameter_is_needed(db: Database) -> None:
    with db.engine.begin() as connection:
        assert _BY_STATUS.one_or_none(connection, {"status": "Lost"}) is None
        assert _BY_STATUS.one(connection, {"status": "Disabled"}).id == "t3"
        with pytest.raises(LookupError, match="more than one row"):
            _BY_STATUS.one_or_none(connection, {"status": "Enabled"})
        with pytest.raises(LookupError, match="no row"):
            _BY_STATUS.one(connection, {"status": "Lost"})
        with pytest.raises(KeyError, match="status"):
            _BY_STATUS.all(connection, {})


def test_statements_needing_sqlalchemy_at_run_time_are_refused(db: Database) -> None:
    in_list = Prepared(select(users.c.id).where(users.c.id.in_(["t1", "t2"])))
    with db.engine.begin() as connection, pytest.raises(ValueError, match="expanding"):
        in_list.all(connection)


async def test_the_database_thread_keeps_one_connection(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    upgrade(db.engine)

    def count_companies() -> int:
        with db.unit_of_work() as uow:
            return len(uow.companies.list())

    try:
        assert [await db.run(count_companies) for _ in range(3)] == [0, 0, 0]
        assert db.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    finally:
        db.close()
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 23, 9, 30, 15, 0, tzinfo=UTC),
        datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1999, 12, 31, 0, 0, 0, 1, tzinfo=UTC),
    ],
)
def test_datetimes_round_trip_like_core(db: Database, moment: datetime) -> None:
    core_update = update(users).where(users.c.id == "t3")
    with db.engine.begin() as connection:
        _SET_FLAG.execute(connection, {"b_status": "Enabled", "flag": True, "at": moment})
        connection.execute(core_update.values(mark_deleted_at=moment))
    with db.engine.begin() as connection:
        by_core = connection.execute(
            select(users.c.id, users.c.mark_deleted_at).order_by(users.c.id)
        ).all()
        prepared = {
            row.id: row.mark_deleted_at for row in _BY_STATUS.all(connection, {"status": "Enabled"})
        }
        prepared["t3"] = _BY_STATUS.one(connection, {"status": "Disabled"}).mark_deleted_at
    assert {serial: as_utc(at) for serial, at in by_core} == dict.fromkeys(
        ("t1", "t2", "t3"), moment
    )
    assert {serial: as_utc(at) for serial, at in prepared.items()} == dict.fromkeys(
        ("t1", "t2", "t3"), moment
    )
