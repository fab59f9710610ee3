"""The bulk journal: which rows are done, written durably before the next row starts.

JSON lines beside the bulk file: a header naming the file's SHA-256, then one entry per
finished row (flushed and fsynced). A row is done once its entry is on disk; the newest
entry of a row wins (`--retry-failed` appends new ones). A torn last line (a crash mid-write)
is ignored. The journal never holds an emergency tokencode.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

FORMAT = "mfadesk-bulk-journal"
VERSION = 1


class JournalError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Entry:
    row: int
    ok: bool
    status: int | None = None
    code: str = ""
    description: str = ""
    userId: str = ""  # noqa: N815 - as in the results file
    detail: str = ""


class Journal:
    """Rows done so far (read at once); written from `start()` on."""

    def __init__(self, path: Path, input_sha256: str, rows: int) -> None:
        self.path = path
        self.entries: dict[int, Entry] = {}
        self._header = {"format": FORMAT, "version": VERSION, "sha256": input_sha256, "rows": rows}
        self._fd: int | None = None
        self._fresh = not path.exists() or self._load(input_sha256)

    def _load(self, input_sha256: str) -> bool:
        """Read the entries; True if the journal holds nothing worth keeping."""
        try:
            lines = self.path.read_bytes().splitlines()
        except OSError as error:
            raise JournalError(f"cannot read journal {self.path}: {error.strerror}") from None
        try:
            header = json.loads(lines[0]) if lines else {}
        except ValueError:
            header = {}
        if header.get("format") != FORMAT:
            raise JournalError(f"{self.path} is not a bulk journal")
        entries: dict[int, Entry] = {}
        for line in lines[1:]:
            try:
                entry = Entry(**json.loads(line))
            except (ValueError, TypeError):
                continue  # a torn last line
            entries[entry.row] = entry
        if header.get("sha256") != input_sha256:
            if not entries:
                return True
            raise JournalError(
                f"the bulk file changed since {self.path} was started: finish the original "
                "file, or delete the journal to start over (rows already done would run again)"
            )
        self.entries = entries
        return False

    def start(self) -> None:
        """Open for appending (a new journal gets its header, durably)."""
        if self._fd is not None:
            return
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if self._fresh else os.O_APPEND)
        try:
            self._fd = os.open(self.path, flags, 0o600)
        except OSError as error:
            raise JournalError(f"cannot write journal {self.path}: {error.strerror}") from None
        if self._fresh:
            self._append(self._header)
            _fsync_directory(self.path.parent)
        elif not self.path.read_bytes().endswith(b"\n"):
            self._append_bytes(b"\n")  # end a torn last line so the next entry stands alone

    def record(self, entry: Entry) -> None:
        self._append(asdict(entry))
        self.entries[entry.row] = entry

    def _append(self, value: dict[str, object]) -> None:
        self._append_bytes((json.dumps(value, separators=(",", ":")) + "\n").encode())

    def _append_bytes(self, data: bytes) -> None:
        if self._fd is None:
            raise JournalError("the journal was not started")
        while data:
            data = data[os.write(self._fd, data) :]
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
