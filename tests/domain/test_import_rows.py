"""The rules of the CSV imports' rows, and the identifiers given to imported users."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from mfadesk.domain.clock import SystemRandom, uuid7_batch
from mfadesk.domain.errors import BadRequest, Conflict
from mfadesk.domain.import_rows import (
    TOKEN_FORM,
    USER_FORM,
    TokenChange,
    TokenRow,
    TokenRowParser,
    UserRow,
    UserRowParser,
    UserState,
    header_positions,
    token_change,
    user_update,
)
from mfadesk.domain.users import UserStatus

SEED = bytes.fromhex("0f3f7439c2f122e0443ca8ea9bc263a7")


def users(*header: str) -> UserRowParser:
    return UserRowParser(header_positions(header, USER_FORM))


def test_headers_in_any_case_and_order_with_a_trailing_comma() -> None:
    positions = header_positions(
        [" LASTNAME", "emailaddress", "FirstName", "principalUsername", ""], USER_FORM
    )
    assert positions == {
        "lastName": 0,
        "emailAddress": 1,
        "firstName": 2,
        "principalUsername": 3,
    }
    assert header_positions(["tokenSerialNumber", "emailAddress"], TOKEN_FORM) == {
        "tokenSerialNumber": 0,
        "emailAddress": 1,
    }


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            ["alice@example.com", "Alice", "A"],
            "unknown column 'alice@example.com' in the header; expected "
            "emailAddress,firstName,lastName[,userStatus][,principalUsername]",
        ),
        (
            ["emailAddress", "lastName"],
            "the first row must be the header emailAddress,firstName,lastName[,userStatus]"
            "[,principalUsername] (missing: firstName)",
        ),
        (
            ["emailAddress", "firstName", "lastName", "EmailAddress"],
            "column emailAddress appears twice in the header",
        ),
    ],
)
def test_a_header_that_is_not_one_is_refused(header: list[str], message: str) -> None:
    with pytest.raises(BadRequest) as refused:
        header_positions(header, USER_FORM)
    assert refused.value.description == message


def test_user_rows() -> None:
    parse = users("emailAddress", "firstName", "lastName", "userStatus", "principalUsername")
    assert parse([" Alice@Example.COM ", " Alice ", "Smith", "disabled", " asmith "]) == UserRow(
        "alice@example.com", "Alice", "Smith", UserStatus.DISABLED, "asmith"
    )
    # The optional columns may be left out at the end of a row, or left empty.
    assert parse(["bob@example.com", "", "Jones"]) == UserRow(
        "bob@example.com", "", "Jones", None, None
    )
    assert parse(["bob@example.com", "B", "J", "", "", "", ""]).status is None


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        (["nobody", "A", "B"], "'nobody' is not an e-mail address"),
        (["a@x", "A"], "2 fields where the header has 5"),
        (["a@x", "A", "B", "", "", "extra"], "6 fields where the header has 5"),
        (["a@x", "A", "B", "Paused"], "userStatus must be Enabled or Disabled"),
        (["a@x", "A" * 256, "B"], "firstName is longer than 255 characters"),
        (["a@x", "A", "B\x00"], "control characters or bytes that are not UTF-8"),
        (["a@x", "A\udcff", "B"], "control characters or bytes that are not UTF-8"),
        ([f"{'a' * 320}@x", "A", "B"], f"'{'a' * 320}@x' is not an e-mail address"),
    ],
)
def test_bad_user_rows_say_why(cells: list[str], reason: str) -> None:
    parse = users("emailAddress", "firstName", "lastName", "userStatus", "principalUsername")
    with pytest.raises(BadRequest) as rejected:
        parse(cells)
    assert rejected.value.description == reason


def state(**changes: object) -> UserState:
    base = UserState("u1", "local-id", "Alice", "Smith", UserStatus.ENABLED, False, None)
    return base._replace(**changes)


def test_a_user_row_updates_only_what_differs() -> None:
    same = UserRow("alice@example.com", "Alice", "Smith", None, None)
    assert user_update(same, state(), "local-id", "local") is None
    assert user_update(same._replace(status=UserStatus.ENABLED), state(), "local-id", "") is None
    renamed = user_update(same._replace(last_name="Jones"), state(), "local-id", "local")
    assert renamed == state(last_name="Jones")
    named = user_update(same._replace(principal_username="as"), state(), "local-id", "local")
    assert named == state(principal_username="as")
    # An empty principalUsername keeps the one there is.
    assert user_update(same, state(principal_username="as"), "local-id", "local") is None


def test_a_user_row_never_takes_over_another_source_or_revives_a_deleted_user() -> None:
    row = UserRow("alice@example.com", "Alice", "Smith", UserStatus.ENABLED, None)
    with pytest.raises(Conflict) as foreign:
        user_update(row, state(source_id="hr-id"), "local-id", "hr")
    assert foreign.value.description == "User alice@example.com belongs to identity source 'hr'"
    marked = state(status=UserStatus.DISABLED, mark_deleted=True)
    with pytest.raises(Conflict) as pending:
        user_update(row, marked, "local-id", "local")
    assert pending.value.description == (
        "User alice@example.com is marked deleted: undelete the user before enabling"
    )
    renamed = user_update(row._replace(status=None, first_name="Al"), marked, "local-id", "")
    assert renamed == marked._replace(first_name="Al")


def test_token_rows() -> None:
    parse = TokenRowParser(
        header_positions(["tokenSerialNumber", "emailAddress", "seed"], TOKEN_FORM)
    )
    assert parse(["000100000001", "Bob@X.com", SEED.hex().upper()]) == TokenRow(
        "000100000001", "bob@x.com", SEED
    )
    assert parse(["ABC-1", "", ""]) == TokenRow("ABC-1", None, None)
    assert parse(["ABC-1", ""]) == TokenRow("ABC-1", None, None)
    for cells, reason in (
        (["", "bob@x.com"], "a token serial is 1 to 36 characters"),
        (["1", "bob@x.com", "0f3f"], "a seed is 32 hexadecimal digits"),
        (["1", "bob@x.com", "zz" * 16], "a seed is 32 hexadecimal digits"),
        (["ABC-1", "", SEED.hex()], "a token with a seed needs a serial of 1 to 12 digits"),
        (["1", "bob"], "'bob' is not an e-mail address"),
    ):
        with pytest.raises(BadRequest) as rejected:
            parse(cells)
        assert rejected.value.description == reason


def change(row: TokenRow, **facts: object) -> TokenChange:
    known: dict[str, object] = {
        "exists_here": True,
        "exists_elsewhere": False,
        "holder_id": None,
        "user_id": None,
        "same_seed": None,
    }
    return token_change(row, **{**known, **facts})  # type: ignore[arg-type]


def test_what_a_token_row_does() -> None:
    row = TokenRow("1", "bob@x.com", None)
    assert change(row, exists_here=False, user_id="bob") is TokenChange.CREATE
    assert change(row, user_id="bob") is TokenChange.ASSIGN
    assert change(row, user_id="bob", holder_id="bob") is TokenChange.NONE
    assert change(row._replace(email=None)) is TokenChange.NONE
    assert change(row, user_id="bob", same_seed=True) is TokenChange.ASSIGN
    for facts, reason in (
        ({"exists_here": False, "exists_elsewhere": True}, "Hardware token 1 already exists"),
        ({"user_id": "bob", "holder_id": "eve"}, "Hardware token 1 is assigned to another user"),
        (
            {"user_id": "bob", "same_seed": False},
            "Hardware token 1 already exists with another seed",
        ),
        (
            {"holder_id": "eve"},
            "Hardware token 1 is assigned to user eve: unassign it rather than import it as a "
            "spare",
        ),
    ):
        with pytest.raises(Conflict) as refused:
            change(row, **facts)
        assert refused.value.description == reason


def test_imported_users_get_time_ordered_uuids() -> None:
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    ids = uuid7_batch(SystemRandom(), now, 1000)
    later = uuid7_batch(SystemRandom(), now + timedelta(milliseconds=1), 10)
    assert ids == sorted(ids) and len(set(ids)) == 1000
    assert max(ids) < min(later)
    parsed = [uuid.UUID(value) for value in ids]
    assert {u.version for u in parsed} == {7}
    assert {u.variant for u in parsed} == {uuid.RFC_4122}
    assert {int(value.replace("-", "")[:12], 16) for value in ids} == {int(now.timestamp() * 1000)}
