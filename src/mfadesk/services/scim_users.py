"""SCIM provisioning: a SCIM source's client creates, reads, replaces, patches and deletes the
users of its source. Every call authenticates its bearer token inside its own transaction (so a
token revoked meanwhile is refused), and every change is audited there, the source as the
actor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from mfadesk.domain.audit import Action, AuditEvent, Result, Target, TargetType
from mfadesk.domain.errors import NotFound
from mfadesk.domain.identity_sources import IdentitySource
from mfadesk.domain.scim import ScimConflict, ScimUserFields, ScimUserQuery
from mfadesk.domain.users import User, UserStatus
from mfadesk.services.context import ServiceEnv
from mfadesk.services.scim_sources import authenticate_scim
from mfadesk.services.user_removal import remove_user
from mfadesk.store.unit_of_work import UnitOfWork

SCIM_ROLE = "SCIM"
MAX_USER_ID_LENGTH = 36


@dataclass(frozen=True, slots=True)
class ScimCall:
    """One SCIM request: its bearer token, where it came from, and when."""

    env: ServiceEnv
    token: str | None
    source_ip: str | None
    now: datetime

    @classmethod
    def start(cls, env: ServiceEnv, token: str | None, source_ip: str | None) -> ScimCall:
        return cls(env, token, source_ip, env.clock())


@dataclass(frozen=True, slots=True)
class ScimPage:
    total: int
    users: list[User]


def actor_name(source: IdentitySource) -> str:
    """How the audit trail names a SCIM source acting."""
    return f"scim:{source.name}"


def _audit(
    uow: UnitOfWork,
    call: ScimCall,
    source: IdentitySource,
    action: Action,
    user: User,
    message: str,
    *,
    changed: bool = True,
) -> None:
    event = AuditEvent(
        occurred_at=call.now,
        action=action,
        target=Target(TargetType.USER, user.id, user.email),
        result=Result.SUCCESS,
        changed=changed,
        message=message,
        source_ip=call.source_ip,
        company_id=source.company_id,
        admin_email=actor_name(source),
        admin_role=SCIM_ROLE,
        access_id=source.id,
    )
    uow.audit.append(event, call.env.random.uuid4())


def _require_user(
    uow: UnitOfWork, source: IdentitySource, user_id: str, *, for_update: bool = False
) -> User:
    """A user of this source; users of other sources are not there for its client."""
    user = None
    if len(user_id) <= MAX_USER_ID_LENGTH:
        user = uow.users.get(source.company_id, user_id, for_update=for_update)
    if user is None or user.source_id != source.id:
        raise NotFound(f"User {user_id} not found")
    return user


def _check_unique(
    uow: UnitOfWork, source: IdentitySource, fields: ScimUserFields, user_id: str
) -> None:
    """userName (any case) and e-mail are unique in the company, externalId in the source."""
    company_id = source.company_id
    if uow.scim_users.principal_taken(company_id, fields.user_name, user_id):
        raise ScimConflict(f"userName {fields.user_name!r} is already taken")
    holder = uow.users.get_by_email(company_id, fields.email)
    if holder is not None and holder.id != user_id:
        raise ScimConflict(f"the e-mail address {fields.email!r} belongs to another user")
    if fields.external_id is not None:
        holder = uow.scim_users.by_source_uid(source.id, fields.external_id)
        if holder is not None and holder.id != user_id:
            raise ScimConflict(f"externalId {fields.external_id!r} belongs to another user")


def _with_fields(user: User, fields: ScimUserFields, now: datetime) -> User:
    return replace(
        user,
        email=fields.email,
        first_name=fields.given_name,
        last_name=fields.family_name,
        status=fields.status,
        principal_username=fields.user_name,
        primary_unique_identifier=fields.external_id,
        last_sync_time=now,
    )


def create_scim_user(uow: UnitOfWork, call: ScimCall, fields: ScimUserFields) -> User:
    source = authenticate_scim(uow, call.token)
    fields = fields.checked()
    user_id = call.env.random.uuid4()
    _check_unique(uow, source, fields, user_id)
    base = User(
        id=user_id,
        company_id=source.company_id,
        email=fields.email,
        first_name="",
        last_name="",
        status=UserStatus.ENABLED,
        created_at=call.now,
        source_id=source.id,
    )
    user = _with_fields(base, fields, call.now)
    if not uow.scim_users.add(user):
        raise ScimConflict(f"User {user.email} was created meanwhile by another request")
    state = "enabled" if fields.active else "disabled"
    message = f"User {user.email} ({state}) provisioned by SCIM source {source.name!r}"
    _audit(uow, call, source, Action.CREATE_USER, user, message)
    return user


def get_scim_user(uow: UnitOfWork, call: ScimCall, user_id: str) -> User:
    source = authenticate_scim(uow, call.token)
    return _require_user(uow, source, user_id)


def list_scim_users(
    uow: UnitOfWork, call: ScimCall, query: ScimUserQuery | None, start_index: int, count: int
) -> ScimPage:
    """The matching users of the caller's source, oldest first: `count` of them from the
    1-based `start_index` on, and how many match in all. No query: a filter that can match no
    one (only the token is checked)."""
    source = authenticate_scim(uow, call.token)
    if query is None or query.matches_nothing:
        return ScimPage(0, [])
    total = uow.scim_users.count_of_source(source.company_id, source.id, query)
    offset = start_index - 1
    if count == 0 or offset >= total:
        return ScimPage(total, [])
    return ScimPage(
        total, uow.scim_users.page_of_source(source.company_id, source.id, query, count, offset)
    )


def _changes(before: ScimUserFields, after: ScimUserFields) -> list[str]:
    labels = {
        "user_name": "userName",
        "email": "e-mail",
        "given_name": "givenName",
        "family_name": "familyName",
        "active": "active",
        "external_id": "externalId",
    }
    return [
        label for name, label in labels.items() if getattr(before, name) != getattr(after, name)
    ]


def update_scim_user(
    uow: UnitOfWork,
    call: ScimCall,
    user_id: str,
    change: Callable[[ScimUserFields], ScimUserFields],
) -> User:
    """Replace (PUT) or patch (PATCH) a user: `change` turns what the user holds into what the
    client wants; the result is checked and stored as a whole, or not at all."""
    source = authenticate_scim(uow, call.token)
    user = _require_user(uow, source, user_id, for_update=True)
    before = ScimUserFields.of(user)
    after = change(before).checked()
    changed = _changes(before, after)
    if not changed:
        message = f"User {user.email} unchanged by SCIM source {source.name!r}"
        _audit(uow, call, source, Action.UPDATE_USER, user, message, changed=False)
        return user
    if after.active != before.active:
        user.with_status(after.status)  # a user marked deleted cannot be enabled (409)
    _check_unique(uow, source, after, user.id)
    updated = _with_fields(user, after, call.now)
    uow.scim_users.save_identity(updated)
    action = Action.UPDATE_USER
    if changed == ["active"]:
        action = Action.ENABLE_USER if after.active else Action.DISABLE_USER
    message = f"User {updated.email} updated by SCIM source {source.name!r}: {', '.join(changed)}"
    _audit(uow, call, source, action, updated, message)
    return updated


def delete_scim_user(uow: UnitOfWork, call: ScimCall, user_id: str) -> None:
    """SCIM DELETE deletes the user for good, as Delete User Now does: tokens back to the pool,
    DS100 registrations and emergency tokencodes removed."""
    source = authenticate_scim(uow, call.token)
    user = _require_user(uow, source, user_id, for_update=True)
    removal = remove_user(uow, user, actor_name(source), call.now)
    message = f"User {user.email} deleted by SCIM source {source.name!r}{removal}"
    _audit(uow, call, source, Action.DELETE_USER, user, message)
