"""The bulk file: a CSV with a header row, one operation per row.

Columns (any order, case-insensitive; others are ignored, e.g. a ``note``):

==========  =====================================================================
action      eac-enable, eac-disable, token-enable, token-disable, token-assign,
            token-unassign, token-delete, ds100-enable, ds100-disable,
            user-enable, user-disable
user        the user's e-mail, or id (a UUID); token-delete: optional, and then the
            token is deleted only if it is that user's
serial      SID700 serial number (token-*)
name        token-assign: the token's name (default: its serial number)
device      DS100 device serial number, 9 digits (ds100-*)
days        eac-enable: validity in days, 1 to 7 (or --days for rows with no validity)
hours       eac-enable: validity in hours (adds up with days and minutes; v2)
minutes     eac-enable: validity in minutes (v2)
one_time    eac-enable: true/false (yes/no, 1/0): usable once, or not (v2); empty:
            the company's setting
eac_id      eac-disable only: the code's id, when the user is named by id
==========  =====================================================================

An eac-enable row with days only uses v1; hours, minutes or one_time use v2, with the
validity in the smallest unit given (1 minute to 7 days in all).

Blank rows and rows whose action starts with ``#`` are skipped. Row 1 is the first operation
after the header; row numbers identify rows in the journal and the results.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from mfadesk.cli.remote.actions import Validity, is_user_id

# action -> the cells it needs (eac-enable's validity is checked on its own)
ACTIONS: dict[str, tuple[str, ...]] = {
    "eac-enable": ("user",),
    "eac-disable": ("user",),
    "token-enable": ("user", "serial"),
    "token-disable": ("user", "serial"),
    "token-assign": ("user", "serial"),
    "token-unassign": ("user", "serial"),
    "token-delete": ("serial",),
    "ds100-enable": ("user", "device"),
    "ds100-disable": ("user", "device"),
    "user-enable": ("user",),
    "user-disable": ("user",),
}
COLUMNS = (
    "action", "user", "serial", "name", "device", "days", "hours", "minutes", "one_time",
    "eac_id",
)  # fmt: skip
TRUE, FALSE = ("true", "yes", "1"), ("false", "no", "0")
MAX_REPORTED_PROBLEMS = 20


class BulkFileError(Exception):
    def __init__(self, problems: list[str]) -> None:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more"] if more else [])))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class BulkRow:
    number: int
    line: int
    action: str
    user: str
    serial: str = ""
    device: str = ""
    validity: Validity | None = None  # eac-enable
    eac_id: str = ""
    name: str = ""

    @property
    def days(self) -> int | None:
        return None if self.validity is None else self.validity.days

    @property
    def lock_key(self) -> str:
        """Rows with the same key run one at a time, in file order: the user (as spelled),
        or for a token-delete naming nobody, the token."""
        return self.user.strip().lower() or f"serial:{self.serial}"

    def cells(self) -> dict[str, str]:
        """The row as the results file shows it."""
        v = self.validity
        asked = (v.days, v.hours, v.minutes, v.one_time) if v else (None,) * 4
        days, hours, minutes, one_time = ("" if x is None else str(x).lower() for x in asked)
        return {
            "action": self.action,
            "user": self.user,
            "serial": self.serial,
            "name": self.name,
            "device": self.device,
            "days": days,
            "hours": hours,
            "minutes": minutes,
            "one_time": one_time,
        }


@dataclass(frozen=True, slots=True)
class BulkFile:
    rows: list[BulkRow]
    sha256: str


def _action(raw: str) -> str:
    return raw.strip().lower().replace("_", "-").replace(" ", "-")


def _whole(cells: dict[str, str], name: str, low: int, high: int) -> int | None:
    raw = cells.get(name, "")
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def _validity(cells: dict[str, str], default_days: int | None) -> Validity:
    days = _whole(cells, "days", 1, 7)
    hours = _whole(cells, "hours", 0, 7 * 24)
    minutes = _whole(cells, "minutes", 0, 7 * 24 * 60)
    raw_once = cells.get("one_time", "").lower()
    if raw_once and raw_once not in TRUE + FALSE:
        raise ValueError(f"one_time must be true or false, not {cells['one_time']!r}")
    one_time = (raw_once in TRUE) if raw_once else None
    if days is None and hours is None and minutes is None:
        if default_days is None:
            raise ValueError(
                "eac-enable needs a validity: days (1 to 7), hours or minutes, in the row "
                "or with --days"
            )
        days = default_days
    return Validity(days=days, hours=hours, minutes=minutes, one_time=one_time)


def _row(number: int, line: int, cells: dict[str, str], default_days: int | None) -> BulkRow:
    action = _action(cells.get("action", ""))
    needed = ACTIONS.get(action)
    if needed is None:
        raise ValueError(
            f"unknown action {cells.get('action', '')!r} (one of {', '.join(ACTIONS)})"
        )
    validity = _validity(cells, default_days) if action == "eac-enable" else None
    missing = [name for name in needed if not cells.get(name)]
    if missing:
        raise ValueError(f"{action} needs {' and '.join(missing)}")
    if action == "eac-disable" and is_user_id(cells["user"]) and not cells.get("eac_id"):
        raise ValueError("eac-disable needs the user's e-mail, or eac_id when the user is an id")
    return BulkRow(
        number=number,
        line=line,
        action=action,
        user=cells.get("user", ""),
        serial=cells.get("serial", "") if action.startswith("token") else "",
        device=cells.get("device", "") if action.startswith("ds100") else "",
        validity=validity,
        eac_id=cells.get("eac_id", "") if action == "eac-disable" else "",
        name=cells.get("name", "") if action == "token-assign" else "",
    )


def read_bulk_file(path: Path, default_days: int | None = None) -> BulkFile:
    """Every row, checked before anything is sent: one bad row and nothing runs."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise BulkFileError([f"cannot read {path}: {error.strerror}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BulkFileError([f"{path} is not UTF-8 text"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    if "action" not in header:
        raise BulkFileError(
            [f"{path}: the first line must name the columns (action, user, serial, …)"]
        )
    rows: list[BulkRow] = []
    problems: list[str] = []
    for values in reader:
        cells = {name: value.strip() for name, value in zip(header, values, strict=False)}
        if not any(cells.values()) or cells.get("action", "").startswith("#"):
            continue
        try:
            rows.append(_row(len(rows) + 1, reader.line_num, cells, default_days))
        except ValueError as problem:
            problems.append(f"line {reader.line_num}: {problem}")
            rows.append(BulkRow(len(rows) + 1, reader.line_num, "invalid", ""))
    if problems:
        raise BulkFileError(problems)
    if not rows:
        raise BulkFileError([f"{path} has no rows"])
    return BulkFile(rows, hashlib.sha256(raw).hexdigest())
