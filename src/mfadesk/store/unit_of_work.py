"""The unit of work: one transaction that commits on success and rolls back on any exception."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Connection, Engine

from mfadesk.store.admins import AdminRepository
from mfadesk.store.audit import AuditHead, AuditRepository
from mfadesk.store.companies import CompanyRepository
from mfadesk.store.ds100 import Ds100Repository
from mfadesk.store.emergency_tokencodes import EmergencyTokencodeRepository
from mfadesk.store.hardware_tokens import HardwareTokenRepository
from mfadesk.store.users import UserRepository


class HeldConnection:
    """The connection a database thread keeps from one unit of work to the next (on SQLite,
    where checking one out of the pool per unit of work costs more than the transaction)."""

    def __init__(
        self, engine: Engine, on_connect: Callable[[Connection], None] | None = None
    ) -> None:
        self._engine = engine
        self._on_connect = on_connect
        self._connection: Connection | None = None
        self._readonly = False

    def acquire(self, readonly: bool) -> Connection:
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            connection = self._connection = self._engine.connect()
            self._readonly = False
            if self._on_connect is not None:
                self._on_connect(connection)
        if readonly != self._readonly:
            connection.execution_options(mfadesk_readonly=readonly)  # in place
            self._readonly = readonly
        return connection

    def discard(self) -> None:
        """Never reuse a connection whose BEGIN, COMMIT or ROLLBACK failed."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.invalidate()
            connection.close()

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


class UnitOfWork:
    """``with db.unit_of_work() as uow: ...`` — repositories share one connection/transaction."""

    companies: CompanyRepository
    users: UserRepository
    admins: AdminRepository
    hardware_tokens: HardwareTokenRepository
    ds100: Ds100Repository
    emergency_tokencodes: EmergencyTokencodeRepository
    audit: AuditRepository

    def __init__(
        self,
        engine: Engine,
        *,
        readonly: bool = False,
        held: HeldConnection | None = None,
        audit_head: AuditHead | None = None,
    ) -> None:
        self._engine = engine
        self._readonly = readonly
        self._held = held
        self._audit_head = audit_head
        self._connection: Connection | None = None

    def __enter__(self) -> UnitOfWork:
        held = self._held
        if held is not None:
            connection = held.acquire(self._readonly)
        else:
            connection = self._engine.connect()
            if self._readonly:
                connection = connection.execution_options(mfadesk_readonly=True)
        try:
            connection.begin()
        except BaseException:
            if held is None:
                connection.close()
            else:
                held.discard()
            raise
        self._connection = connection
        self.companies = CompanyRepository(connection)
        self.users = UserRepository(connection)
        self.admins = AdminRepository(connection)
        self.hardware_tokens = HardwareTokenRepository(connection)
        self.ds100 = Ds100Repository(connection)
        self.emergency_tokencodes = EmergencyTokencodeRepository(connection)
        self.audit = AuditRepository(connection, self._audit_head)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._connection
        assert connection is not None
        held = self._held
        try:
            if exc_type is None:
                connection.commit()
            else:
                connection.rollback()
        except BaseException:
            if held is not None:
                held.discard()
            raise
        finally:
            if held is None:
                connection.close()
            self._connection = None
