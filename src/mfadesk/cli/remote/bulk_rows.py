"""The bulk file: a CSV with a header row, one operation per row.

Columns (any order, case-insensitive; others are ignored, e.g. a ``note``):

==========  =====================================================================
action      eac-enable, eac-disable, token-enable, token-disable, ds100-enable,
            ds100-disable
user        the user's e-mail, or id (a UUID)
serial      SID700 serial number (token-*)
device      DS100 device serial number, 9 digits (ds100-*)
days        validity of an emergency tokencode, 1 to 7 (eac-enable; or --days)
eac_id      eac-disable only: the code's id, when the user is named by id
==========  =====================================================================

Blank rows and rows whose action starts with ``#`` are skipped. Row 1 is the first operation
after the header; row numbers identify rows in the journal and the results.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from mfadesk.cli.remote.actions import is_user_id

ACTIONS: dict[str, tuple[str, ...]] = {
    "eac-enable": ("user", "days"),
    "eac-disable": ("user",),
    "token-enable": ("user", "serial"),
    "token-disable": ("user", "serial"),
    "ds100-enable": ("user", "device"),
    "ds100-disable": ("user", "device"),
}
COLUMNS = ("action", "user", "serial", "device", "days", "eac_id")
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
    days: int | None = None
    eac_id: str = ""

    def cells(self) -> dict[str, str]:
        return {
            "action": self.action,
            "user": self.user,
            "serial": self.serial,
            "device": self.device,
            "days": "" if self.days is None else str(self.days),
        }


@dataclass(frozen=True, slots=True)
class BulkFile:
    rows: list[BulkRow]
    sha256: str


def _action(raw: str) -> str:
    return raw.strip().lower().replace("_", "-").replace(" ", "-")


def _row(number: int, line: int, cells: dict[str, str], default_days: int | None) -> BulkRow:
    action = _action(cells.get("action", ""))
    needed = ACTIONS.get(action)
    if needed is None:
        raise ValueError(
            f"unknown action {cells.get('action', '')!r} (one of {', '.join(ACTIONS)})"
        )
    days: int | None = None
    raw_days = cells.get("days", "") or ("" if default_days is None else str(default_days))
    if action == "eac-enable":
        if not raw_days:
            raise ValueError("eac-enable needs days (1 to 7), in the row or with --days")
        if not raw_days.isdigit() or not 1 <= int(raw_days) <= 7:
            raise ValueError(f"days must be a whole number from 1 to 7, not {raw_days!r}")
        days = int(raw_days)
    missing = [name for name in needed if name != "days" and not cells.get(name)]
    if missing:
        raise ValueError(f"{action} needs {' and '.join(missing)}")
    if action == "eac-disable" and is_user_id(cells["user"]) and not cells.get("eac_id"):
        raise ValueError("eac-disable needs the user's e-mail, or eac_id when the user is an id")
    return BulkRow(
        number=number,
        line=line,
        action=action,
        user=cells["user"],
        serial=cells.get("serial", "") if action.startswith("token") else "",
        device=cells.get("device", "") if action.startswith("ds100") else "",
        days=days,
        eac_id=cells.get("eac_id", "") if action == "eac-disable" else "",
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
    if "action" not in header or "user" not in header:
        raise BulkFileError([f"{path}: the first line must name the columns, at least action,user"])
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
