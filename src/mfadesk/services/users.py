"""User use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mfadesk.domain.admins import Permission
from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.emergency_tokencodes import EmergencyTokencode
from mfadesk.domain.errors import NotFound
from mfadesk.domain.users import User, normalize_email
from mfadesk.services.authorization import authorize
from mfadesk.services.context import Call
from mfadesk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class UserDetails:
    user: User
    online_code: EmergencyTokencode | None
    offline_code: EmergencyTokencode | None


def details_of(uow: UnitOfWork, user: User, now: datetime) -> UserDetails:
    latest = uow.emergency_tokencodes.latest(user.id)
    online = latest if latest is not None and latest.usable_online(now) else None
    offline = latest if latest is not None and latest.usable_offline(now) else None
    return UserDetails(user=user, online_code=online, offline_code=offline)


def lookup_user(uow: UnitOfWork, call: Call, email: str) -> UserDetails:
    target = Target(TargetType.USER, email[:64], email[:320])
    actor = authorize(uow, call, Permission.READ_USERS, Action.LOOKUP_USER, target)
    user = uow.users.get_by_email(actor.company_id, normalize_email(email))
    if user is None:
        raise NotFound(f"User {email} not found")
    return details_of(uow, user, call.now)
