"""Who is calling and whether their role allows the action — checked inside the transaction."""

from __future__ import annotations

from mfadesk.domain.admins import Admin, Permission
from mfadesk.domain.audit import Action, Target
from mfadesk.domain.console_sessions import SessionTimeouts
from mfadesk.domain.errors import NotAuthenticated
from mfadesk.services.context import Call
from mfadesk.store.unit_of_work import UnitOfWork


def resolve_caller(uow: UnitOfWork, call: Call) -> tuple[Admin, bool] | None:
    """The calling actor and whether its credential is usable now: a legacy API key, or an
    OAuth client's access token (revoked with its client, or expired), or a console session
    (signed out, revoked, or past a timeout)."""
    if call.session_hash is not None:
        session = uow.console.session(call.session_hash)
        admin = None if session is None else uow.admins.get(session.admin_id)
        if session is None or admin is None:
            return None
        return admin, session.active(call.now, call.session_timeouts or SessionTimeouts())
    if call.token_hash is not None:
        found = uow.oauth_clients.actor_by_token(call.token_hash)
        if found is None:
            return None
        actor, revoked, expires_at = found
        return actor, not revoked and call.now < expires_at
    key_found = uow.admins.by_access_id(call.access_id)
    if key_found is None:
        return None
    admin, key = key_found
    return admin, key.usable(call.now)


def authorize(
    uow: UnitOfWork, call: Call, permission: Permission, action: Action, target: Target
) -> Admin:
    """Resolve the caller's credential (revocation takes effect at once) and check the role."""
    call.action, call.target = action, target
    found = resolve_caller(uow, call)
    if found is None:
        raise NotAuthenticated()
    admin, usable = found
    call.actor = admin  # named in the audit record even when the credential turns out unusable
    if not usable:
        raise NotAuthenticated()
    admin.require(permission)
    return admin


def caller_is_active(uow: UnitOfWork, call: Call) -> bool:
    """Whether the call's API key or access token is known, not revoked and not expired."""
    found = resolve_caller(uow, call)
    return found is not None and found[1]
