"""The unit of work: one transaction that commits on success and rolls back on any exception."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from mfadesk.store.admins import AdminRepository
from mfadesk.store.audit import AuditRepository
from mfadesk.store.authn_attempts import AuthnAttemptRepository
from mfadesk.store.authn_keys import AuthnKeyRepository
from mfadesk.store.companies import CompanyRepository
from mfadesk.store.ds100 import Ds100Repository
from mfadesk.store.emergency_tokencodes import EmergencyTokencodeRepository
from mfadesk.store.export_snapshots import ExportSnapshotRepository
from mfadesk.store.hardware_tokens import HardwareTokenRepository
from mfadesk.store.securid_credentials import SecurIdCredentialRepository
from mfadesk.store.user_events import UserEventRepository
from mfadesk.store.users import UserRepository


class UnitOfWork:
    """``with db.unit_of_work() as uow: ...`` — repositories share one connection/transaction."""

    companies: CompanyRepository
    users: UserRepository
    admins: AdminRepository
    hardware_tokens: HardwareTokenRepository
    ds100: Ds100Repository
    emergency_tokencodes: EmergencyTokencodeRepository
    audit: AuditRepository
    export_snapshots: ExportSnapshotRepository
    authn_keys: AuthnKeyRepository
    authn_attempts: AuthnAttemptRepository
    securid_credentials: SecurIdCredentialRepository
    user_events: UserEventRepository

    def __init__(self, engine: Engine, *, readonly: bool = False) -> None:
        self._engine = engine
        self._readonly = readonly
        self._connection: Connection | None = None

    def __enter__(self) -> UnitOfWork:
        connection = self._engine.connect()
        if self._readonly:
            connection = connection.execution_options(mfadesk_readonly=True)
        connection.begin()
        self._connection = connection
        self.companies = CompanyRepository(connection)
        self.users = UserRepository(connection)
        self.admins = AdminRepository(connection)
        self.hardware_tokens = HardwareTokenRepository(connection)
        self.ds100 = Ds100Repository(connection)
        self.emergency_tokencodes = EmergencyTokencodeRepository(connection)
        self.audit = AuditRepository(connection)
        self.export_snapshots = ExportSnapshotRepository(connection)
        self.authn_keys = AuthnKeyRepository(connection)
        self.authn_attempts = AuthnAttemptRepository(connection)
        self.securid_credentials = SecurIdCredentialRepository(connection)
        self.user_events = UserEventRepository(connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._connection
        assert connection is not None
        try:
            if exc_type is None:
                connection.commit()
            else:
                connection.rollback()
        finally:
            connection.close()
            self._connection = None
