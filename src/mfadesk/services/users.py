"""User use cases: look up, search, enable/disable, mark deleted, delete (synchronise: see
`services.directory_users`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mfadesk.domain.admins import Permission
from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.emergency_tokencodes import EmergencyTokencode
from mfadesk.domain.errors import BadRequest, MethodNotAllowed, NotFound
from mfadesk.domain.users import User, UserStatus, normalize_email
from mfadesk.services.audit import record_success
from mfadesk.services.authorization import authorize
from mfadesk.services.context import Call
from mfadesk.services.lookups import require_user
from mfadesk.services.provisioning import insert_user
from mfadesk.services.user_removal import remove_user
from mfadesk.store.unit_of_work import UnitOfWork

_STATUS_ACTIONS = {UserStatus.ENABLED: Action.ENABLE_USER, UserStatus.DISABLED: Action.DISABLE_USER}


@dataclass(frozen=True, slots=True)
class UserDetails:
    user: User
    source_name: str  # the user's identity source
    online_code: EmergencyTokencode | None
    offline_code: EmergencyTokencode | None
    last_use: datetime | None = None


@dataclass(frozen=True, slots=True)
class UserPage:
    """One page of a search; `total` counts every match, not only this page's."""

    total: int
    page_size: int
    users: list[UserDetails]

    @property
    def total_pages(self) -> int:
        return -(-self.total // self.page_size)


def _user_target(user_id: str) -> Target:
    return Target(TargetType.USER, user_id[:64], user_id[:320])


def _source_names(uow: UnitOfWork, company_id: str) -> dict[str, str]:
    return uow.sources.names(company_id)


def details_of(
    uow: UnitOfWork, user: User, now: datetime, source_names: dict[str, str] | None = None
) -> UserDetails:
    """The user object of the replies; `source_names` (id -> name) spares a page of users a
    query each."""
    names = _source_names(uow, user.company_id) if source_names is None else source_names
    latest = uow.emergency_tokencodes.latest(user.id)
    online = latest if latest is not None and latest.usable_online(now) else None
    offline = latest if latest is not None and latest.usable_offline(now) else None
    last_use = latest.used_at if latest is not None else None
    return UserDetails(
        user=user,
        source_name=names.get(user.source_id or "", ""),
        online_code=online,
        offline_code=offline,
        last_use=last_use,
    )


def lookup_user(uow: UnitOfWork, call: Call, email: str) -> UserDetails:
    target = Target(TargetType.USER, email[:64], email[:320])
    actor = authorize(uow, call, Permission.READ_USERS, Action.LOOKUP_USER, target)
    user = uow.users.get_by_email(actor.company_id, normalize_email(email))
    if user is None:
        raise NotFound(f"User {email} not found")
    return details_of(uow, user, call.now)


def search_users(
    uow: UnitOfWork, call: Call, email_like: str, page_size: int, page_number: int
) -> UserPage:
    """Users whose e-mail contains `email_like` literally (any case), sorted by e-mail."""
    target = Target(TargetType.USER, email_like[:64], email_like[:320])
    actor = authorize(uow, call, Permission.READ_USERS, Action.SEARCH_USERS, target)
    needle = email_like.strip()
    total = uow.users.count_email_containing(actor.company_id, needle)
    offset = page_size * page_number
    if offset >= total:  # past the end: nothing to fetch (and no huge OFFSET for the database)
        return UserPage(total, page_size, [])
    users = uow.users.email_containing(actor.company_id, needle, page_size, offset)
    names = _source_names(uow, actor.company_id)
    return UserPage(total, page_size, [details_of(uow, u, call.now, names) for u in users])


def set_user_status(uow: UnitOfWork, call: Call, user_id: str, status: UserStatus) -> User:
    """Enable or disable a user; repeating a call changes nothing."""
    actor = authorize(
        uow, call, Permission.MANAGE_USER_STATUS, _STATUS_ACTIONS[status], _user_target(user_id)
    )
    user = require_user(uow, actor, user_id, for_update=True)
    updated, changed = user.with_status(status)
    if changed:
        uow.users.save(updated)
    verb = "enabled" if status is UserStatus.ENABLED else "disabled"
    message = f"User {user.email} {verb}" if changed else f"User {user.email} already {verb}"
    record_success(uow, call, changed=changed, message=message)
    return updated


def set_mark_deleted(uow: UnitOfWork, call: Call, user_id: str, mark: bool) -> User:
    """Mark a disabled user for deletion, or take the mark back."""
    action = Action.MARK_USER_DELETED if mark else Action.UNMARK_USER_DELETED
    actor = authorize(uow, call, Permission.MARK_USERS_DELETED, action, _user_target(user_id))
    user = require_user(uow, actor, user_id, for_update=True)
    updated = user.with_mark_deleted(mark, actor.email, call.now)
    uow.users.save(updated)
    verb = "marked deleted" if mark else "no longer marked deleted"
    record_success(uow, call, changed=True, message=f"User {user.email} {verb}")
    return updated


def create_local_user(
    uow: UnitOfWork, call: Call, email: str, first_name: str, last_name: str, user_name: str
) -> UserDetails:
    """Create Local User: a new, enabled user of the caller's company, in its `local` identity
    source, signing in as `user_name`. An e-mail or a user name already taken (a principal
    username, or the e-mail of a user who has none) is a 400, as the contract says."""
    target = Target(TargetType.USER, email[:64], email[:320])
    actor = authorize(uow, call, Permission.CREATE_USERS, Action.CREATE_USER, target)
    if uow.users.get_by_email(actor.company_id, normalize_email(email)) is not None:
        raise BadRequest(f"User {email} already exists")
    if uow.users.username_taken(actor.company_id, user_name):
        raise BadRequest(f"User name {user_name} is already taken")
    user = insert_user(
        uow,
        call.env,
        actor.company_id,
        email,
        first_name,
        last_name,
        user_id=call.env.random.uuid4(),
        now=call.now,
        principal_username=None if user_name.lower() == normalize_email(email) else user_name,
    )
    call.target = Target(TargetType.USER, user.id, user.email)
    record_success(uow, call, changed=True, message=f"User {user.email} created")
    return details_of(uow, user, call.now)


def delete_user(uow: UnitOfWork, call: Call, user_id: str) -> None:
    """Delete User Now: a disabled user not already pending deletion, for good. Their tokens
    go back to the pool; their DS100 registrations and emergency tokencodes go."""
    actor = authorize(uow, call, Permission.DELETE_USERS, Action.DELETE_USER, _user_target(user_id))
    user = require_user(uow, actor, user_id, for_update=True)
    source = uow.sources.get(user.source_id or "")
    if source is not None and source.managed_by_scim:
        raise MethodNotAllowed(
            f"User {user_id} belongs to the SCIM identity source {source.name!r}: "
            "delete the user through SCIM"
        )
    user.require_deletable_now()
    removed = remove_user(uow, user, actor.email, call.now)
    record_success(uow, call, changed=True, message=f"User {user.email} deleted{removed}")
