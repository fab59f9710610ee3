"""Who is calling and whether their role allows the action — checked inside the transaction."""

from __future__ import annotations

from datetime import datetime

from mfadesk.domain.admins import Admin, Permission
from mfadesk.domain.audit import Action, Target
from mfadesk.domain.errors import NotAuthenticated
from mfadesk.services.context import Call
from mfadesk.store.unit_of_work import UnitOfWork


def authorize(
    uow: UnitOfWork, call: Call, permission: Permission, action: Action, target: Target
) -> Admin:
    """Resolve the caller's key (revocation takes effect at once) and check the role."""
    call.action, call.target = action, target
    found = uow.admins.by_access_id(call.access_id)
    if found is None:
        raise NotAuthenticated()
    admin, key = found
    call.actor = admin  # named in the audit record even when the key turns out unusable
    if not key.usable(call.now):
        raise NotAuthenticated()
    admin.require(permission)
    return admin


def key_is_active(uow: UnitOfWork, access_id: str, now: datetime) -> bool:
    """Whether `access_id` names a key that is known, not revoked and not expired."""
    found = uow.admins.by_access_id(access_id)
    return found is not None and found[1].usable(now)
