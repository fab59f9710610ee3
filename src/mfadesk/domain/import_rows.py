"""The rows of the two CSV imports and what each does to what is already there.

Users: ``emailAddress,firstName,lastName[,userStatus][,principalUsername]``; tokens:
``tokenSerialNumber,emailAddress[,seed]``. Both have a header row naming their columns (any
case, any order). A row that breaks a rule is rejected with its line number and the reason; the
rest of the file goes on. Rows are upserts: applying one again changes nothing.
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from mfadesk.domain.errors import BadRequest, Conflict
from mfadesk.domain.hardware_tokens import MAX_SERIAL_LENGTH
from mfadesk.domain.users import (
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_USERNAME_LENGTH,
    UserStatus,
    check_email,
    parse_user_status,
)


@dataclass(frozen=True, slots=True)
class CsvForm:
    """A CSV file's columns: all it may have, and those it must have."""

    columns: tuple[str, ...]
    required: int  # the first `required` columns must be there

    def __str__(self) -> str:
        must, may = self.columns[: self.required], self.columns[self.required :]
        return ",".join(must) + "".join(f"[,{name}]" for name in may)


USER_FORM = CsvForm(
    ("emailAddress", "firstName", "lastName", "userStatus", "principalUsername"), required=3
)
TOKEN_FORM = CsvForm(("tokenSerialNumber", "emailAddress", "seed"), required=2)
SEED_HEX_DIGITS = 32
SEEDED_SERIAL_DIGITS = 12  # the tokencode algorithm takes the serial as up to 12 digits


class CsvRecord(NamedTuple):
    """One record of a CSV file after its header: the line it ends on and its cells, or what
    kept the reader from reading it. (Tuples: a million of them must be cheap.)"""

    line: int
    cells: Sequence[str]
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class RejectedRow:
    line: int
    reason: str


@dataclass(slots=True)
class ImportReport:
    """Counts of what the rows did; rejected rows one by one (line, reason)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected.append(RejectedRow(line, reason))

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)

    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.rejected)} rejected"
        )


def header_positions(cells: Sequence[str], form: CsvForm) -> dict[str, int]:
    """Where each column is, from the header row (names in any case, in any order)."""
    known = {name.lower(): name for name in form.columns}
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        label = cell.strip()
        if not label and index == len(cells) - 1 and index > 0:
            break  # a trailing comma, as spreadsheets write
        name = known.get(label.lower())
        if name is None:
            raise BadRequest(f"unknown column {label!r} in the header; expected {form}")
        if name in positions:
            raise BadRequest(f"column {name} appears twice in the header")
        positions[name] = index
    missing = [name for name in form.columns[: form.required] if name not in positions]
    if missing:
        raise BadRequest(f"the first row must be the header {form} (missing: {', '.join(missing)})")
    return positions


class _Columns:
    """A header's columns, for reading its rows: a row may stop after its last required
    column (the optional ones are then empty), and may go on past the header with empty cells
    only. Cells are stripped; control characters (and bytes that were not UTF-8) are refused."""

    __slots__ = ("needed", "positions", "width")

    def __init__(self, positions: Mapping[str, int], form: CsvForm) -> None:
        self.positions = dict(positions)
        self.width = max(positions.values()) + 1
        self.needed = max(positions[name] for name in form.columns[: form.required]) + 1

    def cells(self, cells: Sequence[str]) -> list[str]:
        count, width = len(cells), self.width
        if count < self.needed or (count > width and any(c.strip() for c in cells[width:])):
            raise BadRequest(f"{count} fields where the header has {width}")
        values = [cell.strip() for cell in cells[:width]]
        if count < width:
            values += [""] * (width - count)
        if not "".join(values).isprintable():
            raise BadRequest("control characters or bytes that are not UTF-8")
        return values


def _length(value: str, limit: int, name: str) -> str:
    if len(value) > limit:
        raise BadRequest(f"{name} is longer than {limit} characters")
    return value


# ---------------------------------------------------------------------------------------------
# Users


class UserRow(NamedTuple):
    email: str  # normalised
    first_name: str
    last_name: str
    status: UserStatus | None  # None: a new user is Enabled, an existing one keeps theirs
    principal_username: str | None  # None: a new user has none, an existing one keeps theirs


class UserState(NamedTuple):
    """What an import compares and writes of a user who exists already."""

    id: str
    source_id: str
    first_name: str
    last_name: str
    status: UserStatus
    mark_deleted: bool
    principal_username: str | None


class UserRowParser(_Columns):
    """Reads the rows under one header of a user CSV file."""

    __slots__ = ("email", "first_name", "last_name", "principal", "status")

    def __init__(self, positions: Mapping[str, int]) -> None:
        super().__init__(positions, USER_FORM)
        self.email = positions["emailAddress"]
        self.first_name = positions["firstName"]
        self.last_name = positions["lastName"]
        self.status = positions.get("userStatus")
        self.principal = positions.get("principalUsername")

    def __call__(self, cells: Sequence[str]) -> UserRow:
        values = self.cells(cells)
        email = values[self.email].lower()
        if "@" not in email or len(email) > MAX_EMAIL_LENGTH:
            raise BadRequest(f"{values[self.email]!r} is not an e-mail address")
        first_name, last_name = values[self.first_name], values[self.last_name]
        if len(first_name) > MAX_NAME_LENGTH or len(last_name) > MAX_NAME_LENGTH:
            _length(first_name, MAX_NAME_LENGTH, "firstName")
            _length(last_name, MAX_NAME_LENGTH, "lastName")
        status = principal = None
        if self.status is not None and values[self.status]:
            status = parse_user_status(values[self.status])
        if self.principal is not None and values[self.principal]:
            principal = _length(values[self.principal], MAX_USERNAME_LENGTH, "principalUsername")
        return UserRow(email, first_name, last_name, status, principal)


def user_update(
    row: UserRow, current: UserState, source_id: str, current_source_name: str
) -> UserState | None:
    """The user as the row leaves them, or None when the row changes nothing.

    A user of another source is not taken over (nor merged); a user pending deletion is not
    enabled by an import (undelete first, as for the admin API)."""
    if current.source_id != source_id:
        raise Conflict(f"User {row.email} belongs to identity source {current_source_name!r}")
    status = current.status if row.status is None else row.status
    principal = current.principal_username
    if row.principal_username is not None:
        principal = row.principal_username
    if (row.first_name, row.last_name, status, principal) == (
        current.first_name,
        current.last_name,
        current.status,
        current.principal_username,
    ):
        return None
    if status is UserStatus.ENABLED and current.status is not status and current.mark_deleted:
        raise Conflict(f"User {row.email} is marked deleted: undelete the user before enabling")
    return UserState(
        id=current.id,
        source_id=source_id,
        first_name=row.first_name,
        last_name=row.last_name,
        status=status,
        mark_deleted=current.mark_deleted,
        principal_username=principal,
    )


# ---------------------------------------------------------------------------------------------
# Hardware tokens


class TokenRow(NamedTuple):
    serial: str
    email: str | None  # normalised; None: a spare token
    seed: bytes | None = None  # None: a random one for a new token


class TokenChange(StrEnum):
    CREATE = "create"
    ASSIGN = "assign"
    NONE = "none"


class TokenRowParser(_Columns):
    """Reads the rows under one header of a token CSV file."""

    __slots__ = ("email", "seed", "serial")

    def __init__(self, positions: Mapping[str, int]) -> None:
        super().__init__(positions, TOKEN_FORM)
        self.serial = positions["tokenSerialNumber"]
        self.email = positions["emailAddress"]
        self.seed = positions.get("seed")

    def __call__(self, cells: Sequence[str]) -> TokenRow:
        values = self.cells(cells)
        serial = values[self.serial]
        if not serial or len(serial) > MAX_SERIAL_LENGTH:
            raise BadRequest(f"a token serial is 1 to {MAX_SERIAL_LENGTH} characters")
        email = check_email(values[self.email]) if values[self.email] else None
        text = values[self.seed] if self.seed is not None else ""
        if not text:
            return TokenRow(serial, email)
        try:
            if len(text) != SEED_HEX_DIGITS:
                raise ValueError(text)
            seed = binascii.unhexlify(text)
        except (ValueError, binascii.Error):
            raise BadRequest(f"a seed is {SEED_HEX_DIGITS} hexadecimal digits") from None
        if not (serial.isascii() and serial.isdigit() and len(serial) <= SEEDED_SERIAL_DIGITS):
            raise BadRequest(
                f"a token with a seed needs a serial of 1 to {SEEDED_SERIAL_DIGITS} digits"
            )
        return TokenRow(serial, email, seed)


def token_change(
    row: TokenRow,
    *,
    exists_here: bool,
    exists_elsewhere: bool,
    holder_id: str | None,
    user_id: str | None,
    same_seed: bool | None,
) -> TokenChange:
    """What the row does to the token `row.serial`: create it, assign the spare to the row's
    user, or nothing. `same_seed` says whether a seed given with an existing token is the one
    stored (None when the row gives none); `user_id` is the row's user (None: a spare)."""
    if exists_elsewhere:
        raise Conflict(f"Hardware token {row.serial} already exists")
    if not exists_here:
        return TokenChange.CREATE
    if same_seed is False:
        raise Conflict(f"Hardware token {row.serial} already exists with another seed")
    if user_id is None:
        if holder_id is not None:
            raise Conflict(
                f"Hardware token {row.serial} is assigned to user {holder_id}: "
                "unassign it rather than import it as a spare"
            )
        return TokenChange.NONE
    if holder_id == user_id:
        return TokenChange.NONE
    if holder_id is not None:
        raise Conflict(f"Hardware token {row.serial} is assigned to another user")
    return TokenChange.ASSIGN
