"""Reading an import's CSV file: UTF-8 (a byte-order mark is fine), any line ending, a header
row first. A record the reader cannot read, or whose bytes are not UTF-8, is handed on as a
problem for its line rather than stopping the import."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mfadesk.cli.runtime import CommandError
from mfadesk.domain.errors import BadRequest
from mfadesk.domain.import_rows import CsvForm, CsvRecord, header_positions


@dataclass(frozen=True, slots=True)
class CsvFile:
    positions: dict[str, int]  # column name -> index, from the header
    records: Iterator[CsvRecord]  # the records after the header, as they are read
    size: int  # about how many records follow the header (for a progress bar)


def _lines(path: Path) -> int:
    """Lines of the file, counted fast: LF ends them, or CR where a file has no LF at all."""
    newlines = returns = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            newlines += block.count(b"\n")
            returns += block.count(b"\r")
    return newlines or returns


def _records(handle: IO[str]) -> Iterator[CsvRecord]:
    """The file's records; rows of blank cells are skipped."""
    reader = csv.reader(handle)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield CsvRecord(reader.line_num, (), f"unreadable record: {error}")
            continue
        if (cells and cells[0].strip()) or any(cell.strip() for cell in cells):
            yield CsvRecord(reader.line_num, cells)


@contextmanager
def open_csv(path: Path, form: CsvForm) -> Iterator[CsvFile]:
    """The file's header checked (else a one-line error, before anything changes) and its
    records to come."""
    try:
        handle = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
        size = _lines(path)
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    with handle:
        records = _records(handle)
        first = next(records, None)
        if first is None:
            raise CommandError(f"{path} is empty: the first row must be the header {form}")
        try:
            if first.problem is not None:
                raise BadRequest(first.problem)
            positions = header_positions(first.cells, form)
        except BadRequest as error:
            raise CommandError(f"{path}, line {first.line}: {error.description}") from error
        yield CsvFile(positions, records, max(0, size - first.line))
