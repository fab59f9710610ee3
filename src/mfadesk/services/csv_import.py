"""What the two CSV imports share: chunks of rows, each applied in one short transaction with
bulk statements, and one audit record per import.

A file is read as it is applied: its records are parsed (a bad one is rejected with its line and
reason, a key seen before — an e-mail, a serial — too), gathered into chunks of `CHUNK_ROWS`
rows, and each chunk is applied in its own transaction, so live traffic waits at most for one
chunk. The import's audit record, with its counts, commits with the last chunk. If the import
stops half-way (an error, an interrupt), the chunks already applied stay, and a failure record
with the counts so far says so; importing the file again finishes the work (its rows are upserts).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from mfadesk.domain.audit import Action, Result, Target
from mfadesk.domain.company import Company
from mfadesk.domain.errors import Conflict, DomainError
from mfadesk.domain.import_rows import CsvRecord, ImportReport
from mfadesk.services.provisioning import Operator
from mfadesk.store.imports import ConcurrentWrite
from mfadesk.store.unit_of_work import UnitOfWork

CHUNK_ROWS = 50_000
ATTEMPTS = 3  # a chunk whose rows someone else wrote meanwhile is read and applied again

R = TypeVar("R")
T = TypeVar("T")


class Transaction(Protocol):
    """Runs `fn` in one unit of work with an operator (`cli.runtime.Runtime.transaction`)."""

    def __call__(self, fn: Callable[[UnitOfWork, Operator], T], /) -> T: ...


@dataclass(frozen=True, slots=True)
class Chunk(Generic[R]):
    rows: list[tuple[int, R]]  # (line, parsed row)
    records: int  # records of the file it covers, rejected ones included
    last: bool


def parsed_chunks(
    records: Iterable[CsvRecord],
    parse: Callable[[Sequence[str]], R],
    key: Callable[[R], str],
    key_name: str,
    report: ImportReport,
    size: int = CHUNK_ROWS,
) -> Iterator[Chunk[R]]:
    """The file's good rows in chunks, the last one flagged (it may hold no rows, when only
    rejected records came after the one before); bad records go to `report`."""
    pending: tuple[list[tuple[int, R]], int] | None = None
    for rows, records_read in _gathered(records, parse, key, key_name, report, size):
        if pending is not None:
            yield Chunk(*pending, last=False)
        pending = rows, records_read
    if pending is not None:
        yield Chunk(*pending, last=True)


def _gathered(
    records: Iterable[CsvRecord],
    parse: Callable[[Sequence[str]], R],
    key: Callable[[R], str],
    key_name: str,
    report: ImportReport,
    size: int,
) -> Iterator[tuple[list[tuple[int, R]], int]]:
    seen: dict[str, int] = {}
    rows: list[tuple[int, R]] = []
    records_read = 0
    for record in records:
        records_read += 1
        if record.problem is not None:
            report.reject(record.line, record.problem)
            continue
        try:
            row = parse(record.cells)
        except DomainError as error:
            report.reject(record.line, error.description)
            continue
        first = seen.setdefault(key(row), record.line)
        if first != record.line:
            report.reject(record.line, f"{key_name} {key(row)} is on line {first} already")
            continue
        rows.append((record.line, row))
        if len(rows) == size:
            yield rows, records_read
            rows, records_read = [], 0
    if records_read:
        yield rows, records_read


def with_retries(transaction: Transaction, apply: Callable[[UnitOfWork, Operator], T]) -> T:
    """Run `apply` in a transaction, again if a concurrent writer got in its way."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return transaction(apply)
        except ConcurrentWrite as error:
            if attempt == ATTEMPTS:
                raise Conflict(f"rows kept changing while they were imported ({error})") from None
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class ImportAudit:
    """How an import is recorded: one event, its counts in the message."""

    company: Company
    action: Action
    target: Target
    what: str  # "Users imported from users.csv into identity source 'local'"

    def record(self, uow: UnitOfWork, op: Operator, report: ImportReport) -> None:
        changed = bool(report.created or report.updated)
        message = f"{self.what}: {report.summary()}"
        op.audit(uow, self.company, self.action, self.target, message, changed=changed)

    def record_failure(
        self, transaction: Transaction, report: ImportReport, error: BaseException
    ) -> None:
        reason = error.description if isinstance(error, DomainError) else type(error).__name__
        message = f"{self.what} stopped ({reason}) after {report.summary()}"

        def write(uow: UnitOfWork, op: Operator) -> None:
            op.audit(
                uow,
                self.company,
                self.action,
                self.target,
                message,
                changed=bool(report.created or report.updated),
                result=Result.FAILURE,
            )

        transaction(write)


def run_import(
    transaction: Transaction,
    chunks: Iterator[Chunk[R]],
    report: ImportReport,
    apply: Callable[[UnitOfWork, Operator, list[tuple[int, R]]], ImportReport],
    audit: ImportAudit,
    on_progress: Callable[[int], None],
) -> ImportReport:
    """Apply each chunk in its own transaction (the last one with the audit record) and add
    what it did to `report`, once it has committed."""
    try:
        applied_any = False
        for chunk in chunks:

            def apply_chunk(uow: UnitOfWork, op: Operator, chunk: Chunk[R] = chunk) -> ImportReport:
                done = apply(uow, op, chunk.rows)
                if chunk.last:
                    audit.record(uow, op, _merged(report, done))
                return done

            _add(report, with_retries(transaction, apply_chunk))
            applied_any = True
            on_progress(chunk.records)
        if not applied_any:  # an empty file: recorded all the same

            def record(uow: UnitOfWork, op: Operator) -> ImportReport:
                audit.record(uow, op, report)
                return report

            transaction(record)
    except BaseException as error:
        with contextlib.suppress(Exception):  # the import's own error is the one to see
            audit.record_failure(transaction, report, error)
        raise
    report.rejected.sort(key=lambda rejected: rejected.line)
    return report


def _add(total: ImportReport, part: ImportReport) -> None:
    total.created += part.created
    total.updated += part.updated
    total.unchanged += part.unchanged
    total.rejected.extend(part.rejected)


def _merged(total: ImportReport, part: ImportReport) -> ImportReport:
    merged = ImportReport(total.created, total.updated, total.unchanged, list(total.rejected))
    _add(merged, part)
    return merged
