"""SecurID DS100 operations."""

from __future__ import annotations

from mfadesk.client.operation import Operation, returns_list
from mfadesk.wire.ds100 import Ds100CredentialStatus, Ds100CredentialStatusList, Ds100OtpRequest


def _set_status(
    verb: str, user_id: str, device_serial_number: str
) -> Operation[list[Ds100CredentialStatus]]:
    body = Ds100OtpRequest.model_construct(deviceSerialNumber=device_serial_number, userId=user_id)
    return Operation("PATCH", f"v1/ds100/{verb}/otp", returns_list(Ds100CredentialStatusList), body)


def disable_ds100_otp(
    user_id: str, device_serial_number: str
) -> Operation[list[Ds100CredentialStatus]]:
    """Disable the OTP credentials of the user's DS100 device
    (``PATCH v1/ds100/disable/otp``); one status per credential. Idempotent: retried freely.

    Raises `NotFound` (user, device, or device not registered to this user), `BadRequest`
    (the device serial is 9 digits).
    """
    return _set_status("disable", user_id, device_serial_number)


def enable_ds100_otp(
    user_id: str, device_serial_number: str
) -> Operation[list[Ds100CredentialStatus]]:
    """Enable the OTP credentials of the user's DS100 device (``PATCH v1/ds100/enable/otp``);
    one status per credential. Idempotent: retried freely.

    Raises `NotFound` (user, device, or device not registered to this user), `BadRequest`.
    """
    return _set_status("enable", user_id, device_serial_number)
