"""LDAP / Active Directory sources: adding one, and synchronising its users.

A sync first reads the whole directory (no transaction open meanwhile); a directory that is
down or refuses the bind stops it there, with nothing changed. Then the entries are applied a
chunk at a time, each chunk in its own short transaction with bulk statements (live traffic
waits at most for one chunk), and the source's users the directory no longer holds are
disabled, a page at a time. One audit record per run, with its counts, commits with the last
transaction. One sync of a source runs at a time, across processes and hosts: it holds the
source's lease in the database while it works.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import uuid7_batch
from mfadesk.domain.company import Company
from mfadesk.domain.errors import BadRequest, Conflict, DomainError, NotFound
from mfadesk.domain.identity_sources import IdentitySource, SourceKind, check_source_name
from mfadesk.domain.ldap_sources import (
    ChunkPlan,
    DirectoryEntry,
    DirectoryUnavailable,
    LdapSettings,
    SyncReport,
    check_ldap_settings,
    plan_chunk,
)
from mfadesk.domain.users import UserStatus
from mfadesk.observability import metrics
from mfadesk.otp.source_secrets import SourceSecrets, SourceSecretsError
from mfadesk.services.context import ServiceEnv
from mfadesk.services.csv_import import Transaction, with_retries
from mfadesk.services.directory import DirectoryAccess, DirectoryRead, read_directory
from mfadesk.services.identity_sources import source_target
from mfadesk.services.provisioning import Operator, resolve_company
from mfadesk.store.unit_of_work import UnitOfWork

CHUNK_ENTRIES = 1000
LEASE_TTL = timedelta(minutes=10)
_BIND_PASSWORD = "bindPassword"


def sync_lease(source: IdentitySource) -> str:
    return f"ldap-sync:{source.id}"


def _sealer(env: ServiceEnv) -> SourceSecrets:
    return SourceSecrets(env.keys.source_secrets)


def add_ldap_source(
    uow: UnitOfWork,
    op: Operator,
    company: Company,
    name: str,
    settings: LdapSettings,
    bind_password: str,
) -> IdentitySource:
    """A new LDAP source; its bind password is sealed under the master key, never shown."""
    name = check_source_name(name)
    settings = check_ldap_settings(settings)
    if not bind_password:
        raise BadRequest("the bind password is empty")
    if uow.sources.by_name(company.id, name) is not None:
        raise Conflict(f"identity source {name!r} exists already")
    source = IdentitySource(
        op.env.random.uuid4(), company.id, name, SourceKind.LDAP, op.now, settings.as_config()
    )
    sealed = _sealer(op.env).seal(source.id, {_BIND_PASSWORD: bind_password})
    if not uow.sources.add(source, sealed):
        raise Conflict(f"identity source {name!r} was created meanwhile")
    kind = "Active Directory" if settings.active_directory else "LDAP"
    op.audit(
        uow,
        company,
        Action.CREATE_IDENTITY_SOURCE,
        source_target(source),
        f"Identity source {name!r} ({kind}, {settings.url}, base {settings.base_dn}) created",
    )
    return source


def directory_access(uow: UnitOfWork, env: ServiceEnv, source: IdentitySource) -> DirectoryAccess:
    if source.kind is not SourceKind.LDAP:
        raise BadRequest(f"identity source {source.name!r} is not an LDAP source")
    sealed = uow.sources.secrets(source.id)
    try:
        opened = _sealer(env).open(source.id, sealed or b"")
    except SourceSecretsError as error:
        raise DirectoryUnavailable(
            f"the bind password of identity source {source.name!r} does not open: {error}"
        ) from None
    return DirectoryAccess(source, LdapSettings.from_config(source.config), opened[_BIND_PASSWORD])


@dataclass(frozen=True, slots=True)
class SyncTarget:
    company: Company
    accesses: list[DirectoryAccess]


def sync_targets(
    uow: UnitOfWork, op: Operator, company_name: str | None, source_name: str | None
) -> SyncTarget:
    """The named LDAP source of the company, or all of them."""
    company = resolve_company(uow, company_name)
    if source_name is not None:
        source = uow.sources.by_name(company.id, source_name)
        if source is None:
            raise NotFound(f"identity source {source_name!r} not found")
        return SyncTarget(company, [directory_access(uow, op.env, source)])
    sources = [s for s in uow.sources.list(company.id) if s.kind is SourceKind.LDAP]
    return SyncTarget(company, [directory_access(uow, op.env, s) for s in sources])


def ldap_sources(uow: UnitOfWork, env: ServiceEnv) -> list[tuple[Company, DirectoryAccess]]:
    """Every LDAP source of every company (the running service's periodic sync)."""
    found: list[tuple[Company, DirectoryAccess]] = []
    for company in uow.companies.list():
        for source in uow.sources.list(company.id):
            if source.kind is SourceKind.LDAP:
                with contextlib.suppress(DirectoryUnavailable):
                    found.append((company, directory_access(uow, env, source)))
    return found


def _audit(
    uow: UnitOfWork,
    op: Operator,
    company: Company,
    source: IdentitySource,
    report: SyncReport,
    failure: str | None = None,
) -> None:
    changed = bool(report.created or report.updated or report.disabled or report.enabled)
    if failure is None:
        message = f"Identity source {source.name!r} synchronised: {report.summary()}"
        result = Result.SUCCESS
    else:
        message = f"Identity source {source.name!r} not synchronised: {failure}"
        result = Result.FAILURE
    op.audit(
        uow,
        company,
        Action.SYNC_IDENTITY_SOURCE,
        source_target(source),
        message,
        changed=changed,
        result=result,
    )


def apply_entries(
    uow: UnitOfWork,
    env: ServiceEnv,
    now: datetime,
    company_id: str,
    source_id: str,
    entries: list[DirectoryEntry],
) -> ChunkPlan:
    """Create, update, enable or disable the source's users of these entries (one chunk, or
    the one entry a user's sync re-read), stamping their sync time."""
    repo = uow.directory_sync
    current = repo.by_unique_id(source_id, [e.unique_id for e in entries])
    owners = repo.email_owners(company_id, [e.email for e in entries])
    plan = plan_chunk(entries, current, owners, source_id)
    ids = uuid7_batch(env.random, now, len(plan.new))
    repo.insert(company_id, source_id, now, list(zip(ids, plan.new, strict=True)))
    repo.update(source_id, plan.changed)
    repo.touch(plan.seen, now)
    return plan


def _apply_chunk(
    company: Company,
    source: IdentitySource,
    entries: list[DirectoryEntry],
    renew: Callable[[UnitOfWork, Operator], bool],
    *,
    refresh_statistics: bool,
) -> Callable[[UnitOfWork, Operator], SyncReport]:
    def apply(uow: UnitOfWork, op: Operator) -> SyncReport:
        if not renew(uow, op):  # held past its time by someone else: they run it now
            raise Conflict(f"the sync of identity source {source.name!r} was taken over")
        if refresh_statistics:
            uow.directory_sync.refresh_statistics()
        return apply_entries(uow, op.env, op.now, company.id, source.id, entries).report

    return apply


def _disable_gone(
    source: IdentitySource, present: set[str], after: str, page_size: int
) -> Callable[[UnitOfWork, Operator], tuple[int, str | None]]:
    """One page of the source's users: disable those the directory no longer holds. How many,
    and where the next page starts (None: done)."""

    def apply(uow: UnitOfWork, op: Operator) -> tuple[int, str | None]:
        page = uow.directory_sync.page(source.id, after, page_size)
        gone = [
            user_id
            for user_id, unique_id, status in page
            if unique_id not in present and status is UserStatus.ENABLED
        ]
        uow.directory_sync.disable(source.id, gone)
        return len(gone), (page[-1][0] if len(page) == page_size else None)

    return apply


def sync_source(
    transaction: Transaction,
    company: Company,
    access: DirectoryAccess,
    *,
    holder: str,
    chunk_size: int = CHUNK_ENTRIES,
    read: Callable[[DirectoryAccess], DirectoryRead] = read_directory,
) -> SyncReport:
    """Synchronise one source (see the module's docstring). Raises `DirectoryUnavailable`
    (nothing changed) or `Conflict` (another sync of it is running)."""
    source = access.source
    lease = sync_lease(source)

    def take(uow: UnitOfWork, op: Operator) -> bool:
        return uow.leases.take(lease, holder, op.now, op.now + LEASE_TTL)

    if not transaction(take):
        raise Conflict(f"a sync of identity source {source.name!r} is running already")
    report = SyncReport()
    succeeded = False
    try:
        try:
            directory = read(access)
        except DirectoryUnavailable as error:
            why = error.description
            transaction(lambda uow, op: _audit(uow, op, company, source, report, why))
            raise
        report.skipped = directory.skipped
        try:
            _apply(transaction, company, access, directory, report, take, chunk_size)
        except BaseException as error:
            reason = error.description if isinstance(error, DomainError) else type(error).__name__
            stopped = f"stopped ({reason}) after {report.summary()}"
            with contextlib.suppress(Exception):
                transaction(lambda uow, op: _audit(uow, op, company, source, report, stopped))
            raise
        succeeded = True
    finally:
        metrics.directory_sync(source.kind.value, succeeded, report.counts())
        with contextlib.suppress(Exception):
            transaction(lambda uow, op: uow.leases.release(lease, holder, op.now))
    return report


def _apply(
    transaction: Transaction,
    company: Company,
    access: DirectoryAccess,
    directory: DirectoryRead,
    report: SyncReport,
    renew: Callable[[UnitOfWork, Operator], bool],
    chunk_size: int,
) -> None:
    source = access.source
    entries = sorted(directory.entries, key=lambda e: e.unique_id)
    analysed_at = -1  # users this run had created when the statistics were last refreshed
    for start in range(0, len(entries), chunk_size):
        chunk = entries[start : start + chunk_size]
        # At the start, then each time this run has doubled what it created (a few times).
        refresh = analysed_at < 0 or report.created - analysed_at >= max(chunk_size, analysed_at)
        if refresh:
            analysed_at = report.created
        apply = _apply_chunk(company, source, chunk, renew, refresh_statistics=refresh)
        report.add(with_retries(transaction, apply))
    present = {e.unique_id for e in entries}
    after: str | None = ""
    while after is not None:
        disabled, after = transaction(_disable_gone(source, present, after, chunk_size))
        report.disabled += disabled
    transaction(lambda uow, op: _audit(uow, op, company, source, report))
