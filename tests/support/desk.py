"""The operator's desk for service tests: a real database with the test tenant, and
transactions run as `mfadesk` commands run them (`cli.runtime.Runtime.transaction`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from mfadesk.domain.audit import Action, StoredAuditEvent
from mfadesk.domain.import_rows import CsvRecord
from mfadesk.domain.users import User
from mfadesk.services.audit import link_pending
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import Operator
from mfadesk.store.database import Database
from mfadesk.store.unit_of_work import UnitOfWork
from tests.support.clock import MutableClock
from tests.support.tenant import Tenant

T = TypeVar("T")


@dataclass
class Desk:
    db: Database
    env: ServiceEnv
    clock: MutableClock
    tenant: Tenant

    def transaction(self, fn: Callable[[UnitOfWork, Operator], T]) -> T:
        operator = Operator.start(self.env)
        with self.db.unit_of_work() as uow:
            return fn(uow, operator)

    def user(self, email: str) -> User | None:
        with self.db.unit_of_work() as uow:
            return uow.users.get_by_email(self.tenant.company_id, email)

    def audited(self, *actions: Action) -> list[StoredAuditEvent]:
        link_pending(self.db.unit_of_work)  # as the export does: every committed event
        with self.db.unit_of_work() as uow:
            return [e for e in uow.audit.iter_all() if e.event.action in actions]


def records(*rows: str, first_line: int = 2) -> list[CsvRecord]:
    """CSV records from comma-separated lines (no quoting), numbered after a header line."""
    return [CsvRecord(first_line + index, row.split(",")) for index, row in enumerate(rows)]


def lines(report_rejected: Iterable[object]) -> list[tuple[int, str]]:
    return [(r.line, r.reason) for r in report_rejected]  # type: ignore[attr-defined]
