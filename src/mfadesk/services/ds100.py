"""SecurID DS100 OTP credential use cases."""

from __future__ import annotations

from dataclasses import dataclass

from mfadesk.domain.admins import Permission
from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.ds100 import OtpCredential
from mfadesk.domain.errors import NotFound
from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.services.audit import record_success
from mfadesk.services.authorization import authorize
from mfadesk.services.context import Call
from mfadesk.services.lookups import require_user
from mfadesk.store.unit_of_work import UnitOfWork

_ACTIONS = {
    TokenStatus.ENABLED: Action.ENABLE_DS100_OTP,
    TokenStatus.DISABLED: Action.DISABLE_DS100_OTP,
}


@dataclass(frozen=True, slots=True)
class UserCredential:
    user_id: str
    credential: OtpCredential


def set_ds100_status(
    uow: UnitOfWork, call: Call, device_serial: str, user_id: str, status: TokenStatus
) -> list[UserCredential]:
    """Enable or disable every OTP credential of the device registered to the user."""
    target = Target(TargetType.DS100_DEVICE, device_serial, device_serial)
    actor = authorize(uow, call, Permission.MANAGE_DS100, _ACTIONS[status], target)
    require_user(uow, actor, user_id)
    device = uow.ds100.get_device(actor.company_id, device_serial)
    if device is None:
        raise NotFound(f"DS100 device {device_serial} not found")
    if device.user_id != user_id:
        raise NotFound(f"DS100 device {device_serial} is not registered to user {user_id}")
    results: list[UserCredential] = []
    changed_any = False
    for credential in uow.ds100.credentials(device_serial, for_update=True):
        updated, changed = credential.with_status(status, actor.email, call.now)
        if changed:
            uow.ds100.save_credential(updated)
            changed_any = True
        results.append(UserCredential(user_id, updated))
    verb = "enabled" if status is TokenStatus.ENABLED else "disabled"
    message = f"OTP credentials of DS100 device {device_serial} of user {user_id} {verb}"
    # Enabling (again) is how an administrator clears an authentication lockout.
    if status is TokenStatus.ENABLED and uow.securid_credentials.clear_device_lockout(
        device_serial
    ):
        changed_any, message = True, f"{message}; failed authentications cleared"
    record_success(uow, call, changed=changed_any, message=message)
    return results
