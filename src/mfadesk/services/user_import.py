"""`mfadesk user import`: users from a CSV file into the `local` source or a CSV source.

Rows are upserts by e-mail (any case): a new address creates the user (Enabled unless the row
says otherwise), a known one of the same source takes the row's names, status and principal
username, and a row that changes nothing leaves the user as they are — importing a file twice
changes nothing. A user of another source is reported, never taken over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from mfadesk.domain.audit import Action
from mfadesk.domain.clock import uuid7_batch
from mfadesk.domain.company import Company
from mfadesk.domain.errors import DomainError
from mfadesk.domain.identity_sources import IdentitySource
from mfadesk.domain.import_rows import (
    CsvRecord,
    ImportReport,
    UserRow,
    UserRowParser,
    UserState,
    user_update,
)
from mfadesk.domain.users import UserStatus
from mfadesk.services.csv_import import (
    CHUNK_ROWS,
    ImportAudit,
    Transaction,
    parsed_chunks,
    run_import,
)
from mfadesk.services.identity_sources import source_for_import, source_target
from mfadesk.services.provisioning import Operator, resolve_company
from mfadesk.store.imports import NewUser
from mfadesk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class UserImport:
    report: ImportReport
    source: IdentitySource
    source_created: bool


@dataclass(frozen=True, slots=True)
class _Target:
    company: Company
    source: IdentitySource
    source_created: bool
    source_names: dict[str, str]  # every source of the company, id -> name


def _prepare(
    uow: UnitOfWork, op: Operator, company_name: str | None, source_name: str | None
) -> _Target:
    company = resolve_company(uow, company_name)
    source, created = source_for_import(uow, op, company, source_name)
    return _Target(company, source, created, uow.sources.names(company.id))


def _apply(
    target: _Target, uow: UnitOfWork, op: Operator, rows: list[tuple[int, UserRow]]
) -> ImportReport:
    done = ImportReport()
    if not rows:
        return done
    source = target.source
    existing = uow.imports.users_by_email(target.company.id, [row.email for _, row in rows])
    new: list[NewUser] = []
    changed: list[UserState] = []
    ids = iter(uuid7_batch(op.env.random, op.now, len(rows) - len(existing)))
    for line, row in rows:
        current = existing.get(row.email)
        if current is None:
            status = UserStatus.ENABLED if row.status is None else row.status
            new.append(
                NewUser(
                    next(ids),
                    row.email,
                    row.first_name,
                    row.last_name,
                    status,
                    row.principal_username,
                )
            )
            continue
        current_source = target.source_names.get(current.source_id, "another source")
        try:
            updated = user_update(row, current, source.id, current_source)
        except DomainError as error:
            done.reject(line, error.description)
            continue
        if updated is None:
            done.unchanged += 1
        else:
            changed.append(updated)
    uow.imports.insert_users(target.company.id, source.id, op.now, new)
    uow.imports.update_users(changed)
    done.created, done.updated = len(new), len(changed)
    return done


def import_users(
    transaction: Transaction,
    records: Iterable[CsvRecord],
    positions: dict[str, int],
    *,
    company: str | None,
    source: str | None,
    file_name: str,
    chunk_size: int = CHUNK_ROWS,
    on_progress: Callable[[int], None] = lambda records: None,
) -> UserImport:
    """Import the records (after the header, whose column `positions` are given)."""
    target = transaction(partial(_prepare, company_name=company, source_name=source))
    report = ImportReport()
    audit = ImportAudit(
        target.company,
        Action.IMPORT_USERS,
        source_target(target.source),
        f"Users imported from {file_name} into identity source {target.source.name!r}",
    )
    chunks = parsed_chunks(
        records, UserRowParser(positions), _email, "emailAddress", report, chunk_size
    )
    run_import(transaction, chunks, report, partial(_apply, target), audit, on_progress)
    return UserImport(report, target.source, target.source_created)


def _email(row: UserRow) -> str:
    return row.email
