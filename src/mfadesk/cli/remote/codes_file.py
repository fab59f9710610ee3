"""Where issued emergency tokencodes go: a CSV file only its owner can read (mode 0600).

Never the terminal of a bulk run, never the results file or the journal. Each code is
flushed and fsynced before its row counts as done.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path
from types import TracebackType
from typing import Self

from mfadesk.cli.remote.actions import IssuedCode

COLUMNS = (
    "row",
    "user",
    "userId",
    "emergencyTokencodeId",
    "emergencyTokencode",
    "expirationDate",
    "offlineExpirationDate",
)


class CodesFileError(Exception):
    pass


class CodesFile:
    """Appends to PATH, creating it with mode 0600; refuses an existing file others can read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        try:
            self._fd = os.open(path, flags, 0o600)
        except OSError as error:
            raise CodesFileError(f"cannot open codes file {path}: {error.strerror}") from None
        info = os.fstat(self._fd)
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077:
            os.close(self._fd)
            raise CodesFileError(
                f"codes file {path} can be read by others (mode {stat.S_IMODE(info.st_mode):o}):"
                " use a new file, or chmod 600 it"
            )
        if info.st_size == 0:
            self._write(COLUMNS)

    def write(self, row: int | str, user: str, user_id: str, issued: IssuedCode) -> None:
        self._write(
            (
                str(row),
                user,
                user_id,
                issued.emergencyTokencodeId,
                issued.emergencyTokencode,
                issued.expirationDate,
                issued.offlineExpirationDate,
            )
        )

    def _write(self, values: tuple[str, ...]) -> None:
        line = io.StringIO()
        csv.writer(line).writerow(values)
        data = line.getvalue().encode()
        while data:
            data = data[os.write(self._fd, data) :]
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
