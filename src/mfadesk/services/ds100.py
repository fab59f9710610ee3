"""SecurID DS100 OTP credential use cases."""

from __future__ import annotations

from dataclasses import dataclass

from mfadesk.domain.admins import Admin, Permission
from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.ds100 import Ds100Device, OtpCredential
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


@dataclass(frozen=True, slots=True)
class DeviceDetails:
    """A device, the e-mail address of the user it is registered to, and its OTP credentials."""

    device: Ds100Device
    user_email: str | None
    credentials: list[OtpCredential]


def _device_target(device_serial: str) -> Target:
    return Target(TargetType.DS100_DEVICE, device_serial, device_serial)


def _credential_target(serial: str) -> Target:
    return Target(TargetType.DS100_OTP_CREDENTIAL, serial, serial)


def _require_device(uow: UnitOfWork, actor: Admin, device_serial: str) -> Ds100Device:
    device = uow.ds100.get_device(actor.company_id, device_serial)
    if device is None:
        raise NotFound(f"DS100 device {device_serial} not found")
    return device


def _require_registered(device: Ds100Device, user_id: str) -> None:
    if device.user_id != user_id:
        raise NotFound(f"DS100 device {device.serial} is not registered to user {user_id}")


def set_ds100_status(
    uow: UnitOfWork, call: Call, device_serial: str, user_id: str, status: TokenStatus
) -> list[UserCredential]:
    """Enable or disable every OTP credential of the device registered to the user."""
    actor = authorize(
        uow, call, Permission.MANAGE_DS100, _ACTIONS[status], _device_target(device_serial)
    )
    require_user(uow, actor, user_id)
    _require_registered(_require_device(uow, actor, device_serial), user_id)
    # Enabling (again) is how an administrator clears an authentication lockout: the user's
    # count first (a verification locks the user's row before the credentials'), then the
    # device's credentials' below.
    enabling = status is TokenStatus.ENABLED
    user_cleared = enabling and uow.users.clear_authn_lockout(actor.company_id, user_id)
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
    device_cleared = enabling and uow.securid_credentials.clear_device_lockout(device_serial)
    if user_cleared or device_cleared:
        changed_any, message = True, f"{message}; failed authentications cleared"
    record_success(uow, call, changed=changed_any, message=message)
    return results


def lookup_ds100(uow: UnitOfWork, call: Call, device_serial: str) -> DeviceDetails:
    """A read: audited only when refused or not found, like the user lookup."""
    actor = authorize(
        uow, call, Permission.MANAGE_DS100, Action.LOOKUP_DS100, _device_target(device_serial)
    )
    device = _require_device(uow, actor, device_serial)
    user = None if device.user_id is None else uow.users.get(actor.company_id, device.user_id)
    return DeviceDetails(
        device, None if user is None else user.email, uow.ds100.credentials(device_serial)
    )


def delete_ds100_otp(
    uow: UnitOfWork, call: Call, serial: str, device_serial: str, user_id: str
) -> None:
    """Delete one OTP credential (and its seed) of the user's device; the device stays."""
    actor = authorize(
        uow, call, Permission.DELETE_DS100, Action.DELETE_DS100_OTP, _credential_target(serial)
    )
    require_user(uow, actor, user_id)
    _require_registered(_require_device(uow, actor, device_serial), user_id)
    credential = uow.ds100.get_credential(actor.company_id, serial, for_update=True)
    if credential is None or credential.device_serial != device_serial:
        raise NotFound(f"DS100 OTP credential {serial} of device {device_serial} not found")
    uow.ds100.delete_credential(serial)
    message = f"OTP credential {serial} of DS100 device {device_serial} of user {user_id} deleted"
    record_success(uow, call, changed=True, message=message)


def clear_ds100_otp_pin(uow: UnitOfWork, call: Call, serial: str, user_id: str) -> OtpCredential:
    """The user chooses a new PIN at the next authentication; clearing again changes nothing."""
    actor = authorize(
        uow, call, Permission.MANAGE_DS100, Action.CLEAR_DS100_OTP_PIN, _credential_target(serial)
    )
    require_user(uow, actor, user_id)
    credential = uow.ds100.get_credential(actor.company_id, serial, for_update=True)
    if credential is None:
        raise NotFound(f"DS100 OTP credential {serial} not found")
    device = uow.ds100.get_device(actor.company_id, credential.device_serial)
    if device is None or device.user_id != user_id:
        raise NotFound(f"DS100 OTP credential {serial} is not registered to user {user_id}")
    updated, changed = credential.with_pin_cleared()
    if changed:
        uow.ds100.save_credential(updated)
    message = f"PIN of OTP credential {serial} of user {user_id} cleared"
    record_success(uow, call, changed=changed, message=message if changed else f"{message} already")
    return updated
