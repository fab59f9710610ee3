"""The unit of work: one transaction that commits on success and rolls back on any exception."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine

from mfadesk.store.admins import AdminRepository
from mfadesk.store.audit import AuditHead, AuditRepository
from mfadesk.store.authn_attempts import AuthnAttemptRepository
from mfadesk.store.authn_keys import AuthnKeyRepository
from mfadesk.store.companies import CompanyRepository
from mfadesk.store.console import ConsoleRepository
from mfadesk.store.console_reads import ConsoleReads
from mfadesk.store.directory_sync import DirectorySyncRepository
from mfadesk.store.ds100 import Ds100Repository
from mfadesk.store.emergency_tokencodes import EmergencyTokencodeRepository
from mfadesk.store.export_snapshots import ExportSnapshotRepository
from mfadesk.store.hardware_tokens import HardwareTokenRepository
from mfadesk.store.identity_sources import SourceRepository
from mfadesk.store.imports import ImportRepository
from mfadesk.store.leases import LeaseRepository
from mfadesk.store.oauth_clients import OAuthClientRepository
from mfadesk.store.radius_clients import RadiusClientRepository
from mfadesk.store.radius_replies import RadiusReplyRepository
from mfadesk.store.rate_buckets import RateBucketRepository
from mfadesk.store.scim_users import ScimUserRepository
from mfadesk.store.securid_credentials import SecurIdCredentialRepository
from mfadesk.store.user_events import UserEventRepository
from mfadesk.store.users import UserRepository

BUSY_TIMEOUT_MS = 30_000  # how long a SQLite connection waits for another's write lock


class DatabaseBusy(Exception):
    """SQLite's write lock is held by another connection."""


def is_busy(error: BaseException) -> bool:
    """Whether `error` (or the driver error SQLAlchemy wrapped in it) is SQLite's BUSY/LOCKED."""
    if isinstance(error, DatabaseBusy):
        return True
    driver_error = getattr(error, "orig", error)
    code = getattr(driver_error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class HeldConnection:
    """A SQLite connection a thread keeps from one unit of work to the next, where
    a pool checkout and SQLAlchemy's transaction bookkeeping per unit of work cost more than the
    transaction itself. Its transactions are begun and ended on the driver; should a Core
    statement run inside one, SQLAlchemy's own begin is a no-op (see `create_db_engine`) and the
    end goes through SQLAlchemy so that both agree the transaction is over.

    It never waits for the write lock: `begin` raises `DatabaseBusy` at once when another
    connection holds it, and the caller decides what to do (see `Database.run`). `on_connect`
    may change its pragmas; they go back to the pool's when it is closed. `on_write_commit` is
    called right after each write transaction's COMMIT (see `WalSyncer`)."""

    def __init__(
        self,
        engine: Engine,
        on_connect: Callable[[Connection], None] | None = None,
        on_write_commit: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self._on_connect = on_connect
        self._on_write_commit = on_write_commit
        self._connection: Connection | None = None
        self._driver: Any = None
        self._pool_synchronous = 0
        self._writing = False
        self.commits = 0  # transactions committed on this connection

    def begin(self, readonly: bool) -> Connection:
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            connection = self._connection = self._engine.connect()
            self._driver = connection.connection.dbapi_connection
            self._driver.execute("PRAGMA busy_timeout=0")
            self._pool_synchronous = self._driver.execute("PRAGMA synchronous").fetchone()[0]
            if self._on_connect is not None:
                self._on_connect(connection)
        try:
            self._driver.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if is_busy(error):
                raise DatabaseBusy(str(error)) from error
            raise
        self._writing = not readonly
        return connection

    def end(self, commit: bool) -> None:
        connection = self._connection
        assert connection is not None
        if connection.in_transaction():
            if commit:
                connection.commit()
            else:
                connection.rollback()
        elif commit:
            self._driver.commit()
        else:
            self._driver.rollback()
        if commit:
            self.commits += 1
            if self._writing and self._on_write_commit is not None:
                self._on_write_commit()

    def discard(self) -> None:
        """Never reuse a connection whose BEGIN, COMMIT or ROLLBACK failed."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.invalidate()
            connection.close()

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            # Back to the pool as the engine configured it.
            self._driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._driver.execute(f"PRAGMA synchronous={self._pool_synchronous}")
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
    export_snapshots: ExportSnapshotRepository
    authn_keys: AuthnKeyRepository
    authn_attempts: AuthnAttemptRepository
    securid_credentials: SecurIdCredentialRepository
    user_events: UserEventRepository
    rate_buckets: RateBucketRepository
    radius_clients: RadiusClientRepository
    radius_replies: RadiusReplyRepository
    oauth_clients: OAuthClientRepository
    sources: SourceRepository
    imports: ImportRepository
    leases: LeaseRepository
    scim_users: ScimUserRepository
    directory_sync: DirectorySyncRepository

    def __init__(
        self,
        engine: Engine,
        *,
        readonly: bool = False,
        held: HeldConnection | None = None,
        audit_head: AuditHead | None = None,
        audit_committed: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self._readonly = readonly
        self._held = held
        self._audit_head = audit_head
        # Set when audit rows are linked after the commit: called after a commit that has some.
        self._audit_committed = audit_committed
        self._connection: Connection | None = None

    def __enter__(self) -> UnitOfWork:
        held = self._held
        if held is not None:
            try:
                connection = held.begin(self._readonly)
            except DatabaseBusy:
                raise  # nothing began; the connection is fine
            except BaseException:
                held.discard()
                raise
        else:
            connection = self._engine.connect()
            if self._readonly:
                connection = connection.execution_options(mfadesk_readonly=True)
            try:
                connection.begin()
            except BaseException:
                connection.close()
                raise
        self._connection = connection
        self.companies = CompanyRepository(connection)
        self.users = UserRepository(connection)
        self.admins = AdminRepository(connection)
        self.hardware_tokens = HardwareTokenRepository(connection)
        self.ds100 = Ds100Repository(connection)
        self.emergency_tokencodes = EmergencyTokencodeRepository(connection)
        self.audit = AuditRepository(
            connection, self._audit_head, deferred=self._audit_committed is not None
        )
        self.export_snapshots = ExportSnapshotRepository(connection)
        self.authn_keys = AuthnKeyRepository(connection)
        self.authn_attempts = AuthnAttemptRepository(connection)
        self.securid_credentials = SecurIdCredentialRepository(connection)
        self.user_events = UserEventRepository(connection)
        self.rate_buckets = RateBucketRepository(connection)
        self.radius_clients = RadiusClientRepository(connection)
        self.radius_replies = RadiusReplyRepository(connection)
        self.oauth_clients = OAuthClientRepository(connection)
        self.sources = SourceRepository(connection)
        self.imports = ImportRepository(connection)
        self.leases = LeaseRepository(connection)
        self.scim_users = ScimUserRepository(connection)
        self.directory_sync = DirectorySyncRepository(connection)
        self.console = ConsoleRepository(connection)
        self.console_reads = ConsoleReads(connection)
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
            if held is not None:
                held.end(commit=exc_type is None)
            elif exc_type is None:
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
        if exc_type is None and self.audit.pending_appends and self._audit_committed is not None:
            self._audit_committed()
