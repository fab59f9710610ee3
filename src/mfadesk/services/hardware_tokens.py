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
    token = uow.hardware_tokens.get(actor.company_id, serial, for_update=True)
    if token is None or token.user_id != user_id:
        # The user's 404 comes first. A token assigned to `user_id` proves the user exists
        # (assignments stay within the company), which spares the common case a query.
        require_user(uow, actor, user_id)
        token = require_hardware_token(uow, actor, serial, for_update=True)
    updated, changed = token.with_status(user_id, status, actor.email, call.now)
    if changed:
        uow.hardware_tokens.save(updated)
    verb = "enabled" if status is TokenStatus.ENABLED else "disabled"
    message = f"Hardware token {serial} of user {user_id} {verb}"
    record_success(uow, call, changed=changed, message=message if changed else f"{message} already")
    return updated
