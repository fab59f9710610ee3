"""SID700 hardware token use cases."""

from __future__ import annotations

from mfadesk.domain.admins import Permission
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


def set_hardware_token_status(
    uow: UnitOfWork, call: Call, user_id: str, serial: str, status: TokenStatus
) -> HardwareToken:
    """Enable or disable the token assigned to `user_id`; repeating a call changes nothing."""
    target = Target(TargetType.HARDWARE_TOKEN, serial, serial)
    actor = authorize(uow, call, Permission.MANAGE_HARDWARE_TOKENS, _ACTIONS[status], target)
    require_user(uow, actor, user_id)
    token = require_hardware_token(uow, actor, serial, for_update=True)
    updated, changed = token.with_status(user_id, status, actor.email, call.now)
    if changed:
        uow.hardware_tokens.save(updated)
    verb = "enabled" if status is TokenStatus.ENABLED else "disabled"
    message = f"Hardware token {serial} of user {user_id} {verb}"
    if not changed:
        message += " already"
    # Enabling (again) is how an administrator clears an authentication lockout.
    if status is TokenStatus.ENABLED and uow.securid_credentials.clear_token_lockout(serial):
        changed, message = True, f"{message}; failed authentications cleared"
    record_success(uow, call, changed=changed, message=message)
    return updated
