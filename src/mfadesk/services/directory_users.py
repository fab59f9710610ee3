"""The admin API's reads of one user from a directory source: Synchronize User
(`POST /v1/users/{id}/sync`) and User Details with `searchUnsynched`.

Each is three steps, so that no transaction stays open while the directory answers: a use case
that authorises and says what to read; the read itself (`services.directory`, off the event
loop); and a use case that applies what was read and audits it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mfadesk.domain.admins import Permission
from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.errors import NotFound
from mfadesk.domain.identity_sources import SourceKind
from mfadesk.domain.ldap_sources import DirectoryEntry, DirectoryUnavailable
from mfadesk.domain.users import UserStatus, normalize_email
from mfadesk.services.audit import record_success
from mfadesk.services.authorization import authorize
from mfadesk.services.context import Call
from mfadesk.services.directory import DirectoryAccess
from mfadesk.services.ldap_sync import apply_entries, directory_access
from mfadesk.services.lookups import require_user
from mfadesk.services.users import UserDetails, details_of
from mfadesk.store.unit_of_work import UnitOfWork


def _user_target(user_id: str) -> Target:
    return Target(TargetType.USER, user_id[:64], user_id[:320])


def _email_target(email: str) -> Target:
    return Target(TargetType.USER, email[:64], email[:320])


@dataclass(frozen=True, slots=True)
class UserSyncStart:
    """Either the answer at once (a user of no directory) or the entry to read."""

    details: UserDetails | None = None
    access: DirectoryAccess | None = None
    unique_id: str = ""


def begin_user_sync(uow: UnitOfWork, call: Call, user_id: str) -> UserSyncStart:
    """Local, CSV and SCIM users live in mfadesk's own store (SCIM clients push their
    changes): already in sync. A directory user's entry is read again."""
    actor = authorize(uow, call, Permission.READ_USERS, Action.SYNC_USER, _user_target(user_id))
    user = require_user(uow, actor, user_id)
    source = uow.sources.get(user.source_id or "")
    if source is not None and source.kind is SourceKind.LDAP and user.primary_unique_identifier:
        access = directory_access(uow, call.env, source)
        return UserSyncStart(access=access, unique_id=user.primary_unique_identifier)
    details = details_of(uow, user, call.now)
    message = f"User {user_id} is {details.source_name}: already in sync"
    record_success(uow, call, changed=False, message=message)
    return UserSyncStart(details=details)


def directory_failed(uow: UnitOfWork, call: Call, user_id: str, reason: str) -> None:
    """The directory could not be read: a 503, audited as a failure (nothing changed)."""
    authorize(uow, call, Permission.READ_USERS, Action.SYNC_USER, _user_target(user_id))
    raise DirectoryUnavailable(reason)


def finish_user_sync(
    uow: UnitOfWork, call: Call, user_id: str, source_id: str, entry: DirectoryEntry | None
) -> UserDetails:
    """Apply the entry read for the user; a user the directory no longer holds is disabled."""
    actor = authorize(uow, call, Permission.READ_USERS, Action.SYNC_USER, _user_target(user_id))
    user = require_user(uow, actor, user_id, for_update=True)
    if user.source_id != source_id:  # moved to another source meanwhile
        raise NotFound(f"User {user_id} not found")
    if entry is None or entry.unique_id != user.primary_unique_identifier:
        changed = user.status is UserStatus.ENABLED
        if changed:
            uow.directory_sync.disable(source_id, [user.id])
        message = f"User {user.email} is no longer in the directory: disabled"
    else:
        plan = apply_entries(uow, call.env, call.now, user.company_id, source_id, [entry])
        changed = bool(plan.changed)
        what = "conflict: " + plan.report.conflict_details[0] if plan.report.conflicts else ""
        message = f"User {user.email} synchronised{' (' + what + ')' if what else ''}"
    record_success(uow, call, changed=changed, message=message)
    synced = require_user(uow, actor, user_id)
    return details_of(uow, synced, call.now)


@dataclass(frozen=True, slots=True)
class LookupStart:
    """Either the user, or the directory sources to search for them (`searchUnsynched`)."""

    details: UserDetails | None = None
    accesses: tuple[DirectoryAccess, ...] = ()


def begin_lookup(uow: UnitOfWork, call: Call, email: str, search_unsynched: bool) -> LookupStart:
    actor = authorize(uow, call, Permission.READ_USERS, Action.LOOKUP_USER, _email_target(email))
    user = uow.users.get_by_email(actor.company_id, normalize_email(email))
    if user is not None:
        return LookupStart(details=details_of(uow, user, call.now))
    if not search_unsynched:
        raise NotFound(f"User {email} not found")
    accesses = []
    for source in uow.sources.list(actor.company_id):
        if source.kind is SourceKind.LDAP:
            try:
                accesses.append(directory_access(uow, call.env, source))
            except DirectoryUnavailable:
                continue
    if not accesses:
        raise NotFound(f"User {email} not found")
    return LookupStart(accesses=tuple(accesses))


def finish_lookup(
    uow: UnitOfWork, call: Call, email: str, source_id: str | None, entry: DirectoryEntry | None
) -> UserDetails:
    """The entry found in a directory source becomes (or updates) that source's user; no entry
    found in any source: 404."""
    actor = authorize(uow, call, Permission.READ_USERS, Action.LOOKUP_USER, _email_target(email))
    normalized = normalize_email(email)
    user = uow.users.get_by_email(actor.company_id, normalized)
    if user is None and entry is not None and source_id is not None:
        apply_entries(uow, call.env, call.now, actor.company_id, source_id, [entry])
        user = uow.users.get_by_email(actor.company_id, normalized)
        if user is not None:
            call.target = Target(TargetType.USER, user.id, user.email)
            message = f"User {user.email} synchronised from its directory on lookup"
            record_success(uow, call, changed=True, message=message)
    if user is None:
        raise NotFound(f"User {email} not found")
    return details_of(uow, user, call.now)
