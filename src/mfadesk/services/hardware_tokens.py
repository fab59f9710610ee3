"""SID700 hardware token use cases.

Each one authorises and names its target first (so a refusal is audited), then finds the user
and the token (404), then applies the domain rule (409), and records its success in the same
transaction. The token row is read ``FOR UPDATE``, so concurrent changes serialise on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mfadesk.domain.admins import Admin, Permission
from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.hardware_tokens import HardwareToken, TokenStatus
from mfadesk.services.audit import record_success
from mfadesk.services.authorization import authorize
from mfadesk.services.context import Call
from mfadesk.services.lookups import require_hardware_token, require_user
from mfadesk.store.unit_of_work import UnitOfWork

_ACTIONS = {
    TokenStatus.ENABLED: Action.ENABLE_HARDWARE_TOKEN,
    TokenStatus.DISABLED: Action.DISABLE_HARDWARE_TOKEN,
}


@dataclass(frozen=True, slots=True)
class TokenDetails:
    """A token with the e-mail address of the user it is assigned to (if any)."""

    token: HardwareToken
    user_email: str | None


def _target(serial: str) -> Target:
    return Target(TargetType.HARDWARE_TOKEN, serial, serial)


def _details(uow: UnitOfWork, actor: Admin, token: HardwareToken) -> TokenDetails:
    user = None if token.user_id is None else uow.users.get(actor.company_id, token.user_id)
    return TokenDetails(token, None if user is None else user.email)


def set_hardware_token_status(
    uow: UnitOfWork, call: Call, user_id: str, serial: str, status: TokenStatus
) -> HardwareToken:
    """Enable or disable the token assigned to `user_id`; repeating a call changes nothing."""
    actor = authorize(
        uow, call, Permission.MANAGE_HARDWARE_TOKENS, _ACTIONS[status], _target(serial)
    )
    # Enabling (again) is how an administrator clears an authentication lockout: the user's
    # count first (a verification locks the user's row before the credentials'), then the
    # token's below. A refusal further down rolls both back.
    enabling = status is TokenStatus.ENABLED
    user_cleared = enabling and uow.users.clear_authn_lockout(actor.company_id, user_id)
    token = uow.hardware_tokens.get(actor.company_id, serial, for_update=True)
    if token is None or token.user_id != user_id:
        # The user's 404 comes first. A token assigned to `user_id` proves the user exists
        # (assignments stay within the company), which spares the common case a query.
        require_user(uow, actor, user_id)
        token = require_hardware_token(uow, actor, serial, for_update=True)
    updated, changed = token.with_status(user_id, status, actor.email, call.now)
    if changed:
        uow.hardware_tokens.save_status(updated)
    verb = "enabled" if status is TokenStatus.ENABLED else "disabled"
    message = f"Hardware token {serial} of user {user_id} {verb}"
    if not changed:
        message += " already"
    token_cleared = enabling and uow.securid_credentials.clear_token_lockout(serial)
    if user_cleared or token_cleared:
        changed, message = True, f"{message}; failed authentications cleared"
    record_success(uow, call, changed=changed, message=message)
    return updated


def lookup_hardware_token(uow: UnitOfWork, call: Call, serial: str) -> TokenDetails:
    """A read: audited only when refused or not found, like the user lookup."""
    actor = authorize(
        uow, call, Permission.MANAGE_HARDWARE_TOKENS, Action.LOOKUP_HARDWARE_TOKEN, _target(serial)
    )
    return _details(uow, actor, require_hardware_token(uow, actor, serial))


def assign_hardware_token(
    uow: UnitOfWork, call: Call, user_id: str, serial: str, name: str | None
) -> HardwareToken:
    """Assign a spare token to the user and enable it; again for the same user: rename only."""
    actor = authorize(
        uow, call, Permission.MANAGE_HARDWARE_TOKENS, Action.ASSIGN_HARDWARE_TOKEN, _target(serial)
    )
    user = require_user(uow, actor, user_id)
    token = require_hardware_token(uow, actor, serial, for_update=True)
    updated, changed = token.assigned(user_id, name, actor.email, call.now)
    if changed:
        uow.hardware_tokens.save(updated)
    if not changed:
        message = f"Hardware token {serial} is assigned to user {user_id} already"
    elif token.user_id == user_id:
        message = f"Hardware token {serial} of user {user_id} renamed to {updated.name!r}"
    else:
        message = (
            f"Hardware token {serial} assigned to user {user_id} ({user.email}) "
            f"as {updated.name!r}, {updated.status.value}"
        )
    record_success(uow, call, changed=changed, message=message)
    return updated


def unassign_hardware_token(
    uow: UnitOfWork, call: Call, user_id: str, serial: str
) -> HardwareToken:
    """Take the token back from the user: it returns to the spare pool, Disabled."""
    actor = authorize(
        uow,
        call,
        Permission.MANAGE_HARDWARE_TOKENS,
        Action.UNASSIGN_HARDWARE_TOKEN,
        _target(serial),
    )
    require_user(uow, actor, user_id)
    token = require_hardware_token(uow, actor, serial, for_update=True)
    updated = token.unassigned(user_id, actor.email, call.now)
    uow.hardware_tokens.save(updated)
    record_success(
        uow, call, changed=True, message=f"Hardware token {serial} unassigned from user {user_id}"
    )
    return updated


def delete_hardware_token(uow: UnitOfWork, call: Call, serial: str) -> TokenDetails:
    """Delete the token record (assigned or not) and its seed; answers what was deleted."""
    actor = authorize(
        uow, call, Permission.DELETE_HARDWARE_TOKENS, Action.DELETE_HARDWARE_TOKEN, _target(serial)
    )
    token = require_hardware_token(uow, actor, serial, for_update=True)
    details = _details(uow, actor, token)
    uow.hardware_tokens.delete(serial)
    owner = f", which was assigned to user {token.user_id}" if token.user_id else ""
    record_success(uow, call, changed=True, message=f"Hardware token {serial} deleted{owner}")
    return details


def clear_hardware_token_pin(
    uow: UnitOfWork, call: Call, user_id: str, serial: str
) -> HardwareToken:
    """The user chooses a new PIN at the next authentication; clearing again changes nothing."""
    actor = authorize(
        uow,
        call,
        Permission.MANAGE_HARDWARE_TOKENS,
        Action.CLEAR_HARDWARE_TOKEN_PIN,
        _target(serial),
    )
    require_user(uow, actor, user_id)
    token = require_hardware_token(uow, actor, serial, for_update=True)
    updated, changed = token.with_pin_cleared(user_id)
    if changed:
        uow.hardware_tokens.save(updated)
    message = f"PIN of hardware token {serial} of user {user_id} cleared"
    record_success(uow, call, changed=changed, message=message if changed else f"{message} already")
    return updated
