"""Deleting a user for good — by Delete User Now, or seven days after they were marked deleted.

Either way the same happens: the user's SID700 tokens go back to the spare pool (unassigned,
Disabled, no PIN), their DS100 devices' registrations and OTP credentials and their emergency
tokencodes are removed, then the user. The user's row is locked first (a verification locks it
before the credentials' rows), so nothing can be given to them meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mfadesk.domain.audit import Action, AuditEvent, Result, Target, TargetType
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.users import PURGE_AFTER, User
from mfadesk.services.context import ServiceEnv
from mfadesk.store.unit_of_work import UnitOfWork

PURGE_BATCH = 50  # users per call of `purge_marked_users`, each in its own transaction


@dataclass(frozen=True, slots=True)
class Removal:
    """What went with a user."""

    tokens: int
    devices: int
    credentials: int
    emergency_tokencodes: int

    def __str__(self) -> str:
        parts = []
        if self.tokens:
            parts.append(f"{self.tokens} hardware token(s) returned to the pool")
        if self.devices:
            parts.append(
                f"{self.devices} DS100 device(s) and {self.credentials} OTP credential(s) removed"
            )
        if self.emergency_tokencodes:
            parts.append(f"{self.emergency_tokencodes} emergency tokencode(s) removed")
        return ": " + ", ".join(parts) if parts else ""


def remove_user(uow: UnitOfWork, user: User, by: str, now: datetime) -> Removal:
    """Delete `user` (its row read `for_update`) and take their authenticators from them."""
    tokens = uow.hardware_tokens.assigned_to(user.company_id, user.id)
    for token in tokens:
        uow.hardware_tokens.save(token.unassigned(user.id, by, now))
    devices = uow.ds100.devices_of(user.company_id, user.id)
    credentials = 0
    for device in devices:
        for credential in uow.ds100.credentials(device.serial, for_update=True):
            uow.ds100.delete_credential(credential.serial)
            credentials += 1
        uow.ds100.delete_device(device.serial)
    codes = uow.emergency_tokencodes.delete_all(user.id)
    uow.users.delete(user.id)
    return Removal(len(tokens), len(devices), credentials, codes)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who removes users marked deleted, as the audit trail names them."""

    name: str
    role: str
    source: str


PURGED_BY_OPERATOR = Actor("operator", "Operator", "local")
PURGED_BY_SERVICE = Actor("mfadesk", "System", "local")


@dataclass(frozen=True, slots=True)
class PurgedUser:
    id: str
    email: str
    company_id: str


def _purge_one(
    uow: UnitOfWork,
    env: ServiceEnv,
    actor: Actor,
    company_id: str,
    user_id: str,
    now: datetime,
    older_than: timedelta,
) -> PurgedUser | None:
    user = uow.users.get(company_id, user_id, for_update=True)
    if user is None or not user.due_for_purge(now, older_than):
        return None  # gone or taken back meanwhile
    removal = remove_user(uow, user, actor.name, now)
    marked = f"marked deleted by {user.mark_deleted_by or 'unknown'}"
    if user.mark_deleted_at is not None:
        marked += f" at {format_timestamp(user.mark_deleted_at)}"
    event = AuditEvent(
        occurred_at=now,
        action=Action.PURGE_USER,
        target=Target(TargetType.USER, user.id, user.email),
        result=Result.SUCCESS,
        changed=True,
        message=f"User {user.email} ({marked}) deleted{removal}",
        source_ip=actor.source,
        company_id=company_id,
        admin_email=actor.name,
        admin_role=actor.role,
    )
    uow.audit.append(event, env.random.uuid4())
    return PurgedUser(user.id, user.email, company_id)


@dataclass(frozen=True, slots=True)
class PurgeBatch:
    purged: list[PurgedUser]
    finished: bool  # no more users were due


def purge_marked_users(
    unit_of_work: Callable[[], UnitOfWork],
    env: ServiceEnv,
    actor: Actor,
    older_than: timedelta = PURGE_AFTER,
    limit: int = PURGE_BATCH,
) -> PurgeBatch:
    """Delete up to `limit` users marked deleted at least `older_than` ago, each in a short
    transaction of its own with its audit record; call again until `finished`. Safe to run
    from several processes at once: each user is checked again under its row lock."""
    now = env.clock()
    with unit_of_work() as uow:
        candidates = uow.users.marked_deleted_before(now - older_than, limit)
    purged = []
    for company_id, user_id in candidates:
        with unit_of_work() as uow:
            done = _purge_one(uow, env, actor, company_id, user_id, now, older_than)
        if done is not None:
            purged.append(done)
    return PurgeBatch(purged, finished=len(candidates) < limit)
