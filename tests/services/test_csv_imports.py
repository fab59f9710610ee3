"""The CSV imports on SQLite and PostgreSQL: upserts by e-mail and by serial, chunks of their
own, one audit record per import, rejected rows with line and reason, idempotence."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.errors import BadRequest
from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.domain.identity_sources import IdentitySource, SourceKind
from mfadesk.domain.import_rows import TOKEN_FORM, USER_FORM, CsvRecord, header_positions
from mfadesk.domain.users import UserStatus
from mfadesk.otp.seed_cipher import SeedCipher
from mfadesk.services.provisioning import Operator, add_hardware_token, ensure_company
from mfadesk.services.token_csv_import import import_token_csv
from mfadesk.services.user_import import UserImport, import_users
from tests.support.desk import Desk, lines, records
from tests.support.tenant import TOKEN_ALICE, TOKEN_BOB, TOKEN_SPARE

USERS = header_positions(["emailAddress", "firstName", "lastName", "userStatus"], USER_FORM)
TOKENS = header_positions(["tokenSerialNumber", "emailAddress", "seed"], TOKEN_FORM)
SEED = "0f3f7439c2f122e0443ca8ea9bc263a7"


def import_user_rows(
    desk: Desk, rows: list[CsvRecord], source: str | None = None, chunk_size: int = 2
) -> UserImport:
    return import_users(
        desk.transaction,
        rows,
        USERS,
        company=None,
        source=source,
        file_name="people.csv",
        chunk_size=chunk_size,
    )


PEOPLE = records(
    "Eve@Example.com,Eve,Adams,",  # new
    "alice@acme.example,Alicia,Test,",  # renamed
    "bob@acme.example,Bob,Test,",  # as it is
    "not-an-address,X,Y,",
    "carol@acme.example,Carol,Test,enabled",  # enabled again
    "EVE@example.com,Eve,Twice,",
    "frank@example.com,Frank,,Disabled",  # new, disabled
    "grace@example.com,Grace,Hopper,sleeping",
)


def test_user_rows_create_update_or_leave_users_and_bad_ones_are_listed(desk: Desk) -> None:
    first = import_user_rows(desk, PEOPLE)
    report = first.report
    assert (first.source.name, first.source.kind, first.source_created) == (
        "local",
        SourceKind.LOCAL,
        False,
    )
    assert (report.created, report.updated, report.unchanged) == (2, 2, 1)
    assert lines(report.rejected) == [
        (5, "'not-an-address' is not an e-mail address"),
        (7, "emailAddress eve@example.com is on line 2 already"),
        (9, "userStatus must be Enabled or Disabled"),
    ]
    eve, frank = desk.user("eve@example.com"), desk.user("frank@example.com")
    alice, carol = desk.user("alice@acme.example"), desk.user("carol@acme.example")
    assert eve is not None and frank is not None and alice is not None and carol is not None
    assert (eve.first_name, eve.last_name, eve.status) == ("Eve", "Adams", UserStatus.ENABLED)
    assert (frank.last_name, frank.status) == ("", UserStatus.DISABLED)
    assert eve.source_id == alice.source_id == first.source.id
    assert eve.created_at == desk.clock()
    assert (alice.first_name, carol.status) == ("Alicia", UserStatus.ENABLED)

    again = import_user_rows(desk, PEOPLE).report
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert lines(again.rejected) == lines(report.rejected)
    assert desk.user("alice@acme.example") == alice

    events = desk.audited(Action.IMPORT_USERS)
    assert [(e.event.result, e.event.changed, e.event.message) for e in events] == [
        (
            Result.SUCCESS,
            True,
            "Users imported from people.csv into identity source 'local': "
            "2 created, 2 updated, 1 unchanged, 3 rejected",
        ),
        (
            Result.SUCCESS,
            False,
            "Users imported from people.csv into identity source 'local': "
            "0 created, 0 updated, 5 unchanged, 3 rejected",
        ),
    ]
    assert (events[0].event.admin_email, events[0].event.target.name) == ("operator", "local")


def test_a_csv_source_keeps_its_users_and_never_takes_over_others(desk: Desk) -> None:
    hired = import_user_rows(
        desk, records("ivan@example.com,Ivan,I,", "alice@acme.example,A,B,"), source="hr"
    )
    assert (hired.source.kind, hired.source_created) == (SourceKind.CSV, True)
    assert (hired.report.created, lines(hired.report.rejected)) == (
        1,
        [(3, "User alice@acme.example belongs to identity source 'local'")],
    )
    ivan = desk.user("ivan@example.com")
    assert ivan is not None and ivan.source_id == hired.source.id
    back = import_user_rows(desk, records("ivan@example.com,Ivan,Changed,"))
    assert lines(back.report.rejected) == [
        (2, "User ivan@example.com belongs to identity source 'hr'")
    ]
    again = import_user_rows(desk, records("ivan@example.com,Ivan,Changed,"), source=" hr ")
    assert (again.source_created, again.report.updated) == (False, 1)
    assert [e.event.message for e in desk.audited(Action.CREATE_IDENTITY_SOURCE)] == [
        "Identity source 'hr' (csv) created"
    ]


def test_a_directory_source_is_not_written_by_imports(desk: Desk) -> None:
    def add_scim(uow: Any, op: Operator) -> None:
        company_id = desk.tenant.company_id
        uow.sources.add(IdentitySource("scim-id", company_id, "entra", SourceKind.SCIM, op.now))

    desk.transaction(add_scim)
    with pytest.raises(BadRequest) as refused:
        import_user_rows(desk, records("ivan@example.com,Ivan,I,"), source="entra")
    assert refused.value.description == (
        "identity source 'entra' is an scim source: its users come from there, not from CSV files"
    )
    assert desk.user("ivan@example.com") is None


def test_a_pending_deletion_is_not_undone_by_an_import(desk: Desk) -> None:
    def mark(uow: Any, op: Operator) -> None:
        carol = uow.users.get_by_email(desk.tenant.company_id, "carol@acme.example")
        uow.users.save(carol.with_mark_deleted(True, "root@acme.example", op.now))

    desk.transaction(mark)
    report = import_user_rows(desk, records("carol@acme.example,Carol,Test,Enabled")).report
    assert lines(report.rejected) == [
        (2, "User carol@acme.example is marked deleted: undelete the user before enabling")
    ]


def test_an_interrupted_import_keeps_its_chunks_says_so_and_finishes_when_run_again(
    desk: Desk,
) -> None:
    rows = records(*(f"user{n}@example.com,U,{n}," for n in range(7)))

    def breaking() -> Iterator[CsvRecord]:
        yield from rows[:5]
        raise RuntimeError("the file went away")

    with pytest.raises(RuntimeError):
        import_user_rows(desk, breaking())
    # The chunk (of two) that was applied stays; the one read after it was not applied yet.
    imported = [desk.user(f"user{n}@example.com") is not None for n in range(7)]
    assert imported == [True, True, False, False, False, False, False]
    [stopped] = desk.audited(Action.IMPORT_USERS)
    assert (stopped.event.result, stopped.event.changed, stopped.event.message) == (
        Result.FAILURE,
        True,
        "Users imported from people.csv into identity source 'local' stopped (RuntimeError) "
        "after 2 created, 0 updated, 0 unchanged, 0 rejected",
    )
    finished = import_user_rows(desk, rows).report
    assert (finished.created, finished.unchanged) == (5, 2)


def test_concurrent_imports_of_one_file_create_each_user_once(desk: Desk) -> None:
    rows = records(*(f"racer{n:03d}@example.com,R,{n}," for n in range(120)))
    results: list[UserImport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(import_user_rows(desk, rows, chunk_size=40))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.report.created for r in results) == 120
    assert sum(r.report.unchanged for r in results) == 120
    with desk.db.unit_of_work() as uow:
        assert uow.sources.count_users(results[0].source.id) == 4 + 120


def import_token_rows(desk: Desk, rows: list[CsvRecord], company: str | None = None) -> Any:
    return import_token_csv(
        desk.transaction, rows, TOKENS, company=company, file_name="tokens.csv", chunk_size=2
    )


def stored_seed(desk: Desk, serial: str) -> bytes:
    with desk.db.unit_of_work() as uow:
        stored = uow.imports.tokens_by_serial([serial])[serial]
    assert stored.seed_ciphertext is not None
    return SeedCipher(desk.env.keys.seed_encryption).decrypt(serial, stored.seed_ciphertext)


def test_token_rows_create_assign_or_leave_tokens(desk: Desk) -> None:
    def globex_token(uow: Any, op: Operator) -> None:
        globex = ensure_company(uow, op, "Globex")
        add_hardware_token(uow, op, globex, "000900000001")

    desk.transaction(globex_token)
    rows = records(
        f"000300000001,bob@acme.example,{SEED}",  # new, assigned
        "000300000002,,",  # new spare, random seed
        f"{TOKEN_SPARE},Alice@acme.example,",  # the spare, assigned
        f"{TOKEN_ALICE},alice@acme.example,",  # hers already
        f"{TOKEN_BOB},alice@acme.example,",  # bob's
        "000300000003,nobody@acme.example,",
        "000300000002,dave@acme.example,",  # twice
        "000900000001,,",  # another company's
    )
    report = import_token_rows(desk, rows, company="Acme")
    assert (report.created, report.updated, report.unchanged) == (2, 1, 1)
    assert lines(report.rejected) == [
        (6, f"Hardware token {TOKEN_BOB} is assigned to another user"),
        (7, "User nobody@acme.example not found"),
        (8, "tokenSerialNumber 000300000002 is on line 3 already"),
        (9, "Hardware token 000900000001 already exists"),
    ]
    with desk.db.unit_of_work() as uow:
        company = desk.tenant.company_id
        new = uow.hardware_tokens.get(company, "000300000001")
        spare = uow.hardware_tokens.get(company, "000300000002")
        assigned = uow.hardware_tokens.get(company, TOKEN_SPARE)
    assert new is not None and spare is not None and assigned is not None
    assert (new.user_id, new.status, new.name, new.pin_set, new.assigned_by) == (
        desk.tenant.user("bob"),
        TokenStatus.ENABLED,
        "000300000001",
        False,
        "operator",
    )
    assert (spare.user_id, spare.status, spare.assigned_at) == (None, TokenStatus.DISABLED, None)
    assert (assigned.user_id, assigned.status, assigned.assigned_at) == (
        desk.tenant.user("alice"),
        TokenStatus.ENABLED,
        desk.clock(),
    )
    assert stored_seed(desk, "000300000001") == bytes.fromhex(SEED)
    assert len(stored_seed(desk, "000300000002")) == 16

    again = import_token_rows(desk, rows, company="Acme")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    reseed = records(f"000300000001,bob@acme.example,{'1' * 32}")
    reseeded = import_token_rows(desk, reseed, company="Acme")
    assert lines(reseeded.rejected) == [
        (2, "Hardware token 000300000001 already exists with another seed")
    ]
    assert [e.event.message for e in desk.audited(Action.IMPORT_HARDWARE_TOKENS)] == [
        "Hardware tokens imported from tokens.csv: 2 created, 1 updated, 1 unchanged, 4 rejected",
        "Hardware tokens imported from tokens.csv: 0 created, 0 updated, 4 unchanged, 4 rejected",
        "Hardware tokens imported from tokens.csv: 0 created, 0 updated, 0 unchanged, 1 rejected",
    ]
