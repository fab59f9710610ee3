"""SecurID DS100 operations."""

from __future__ import annotations

from mfadesk.client.operation import Operation, returns, returns_list, returns_nothing
from mfadesk.wire.ds100 import (
    Ds100ClearPinRequest,
    Ds100CredentialDetails,
    Ds100CredentialDetailsList,
    Ds100CredentialStatus,
    Ds100CredentialStatusList,
    Ds100DeleteOtpRequest,
    Ds100LookupRequest,
    Ds100OtpRequest,
    Ds100PinResponse,
)


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


def lookup_ds100(device_serial_number: str) -> Operation[list[Ds100CredentialDetails]]:
    """A DS100 device's OTP credentials and the user it is registered to
    (``POST v1/ds100/lookup``); one element per credential, ``[]`` when all were deleted.
    Read-only, so retried freely.

    Raises `NotFound` (no such device), `BadRequest`.
    """
    return Operation(
        "POST",
        "v1/ds100/lookup",
        returns_list(Ds100CredentialDetailsList),
        Ds100LookupRequest.model_construct(deviceSerialNumber=device_serial_number),
    )


def delete_ds100_otp(
    user_id: str, device_serial_number: str, token_serial_number: str
) -> Operation[None]:
    """Delete one OTP credential (12 digits) of the user's DS100 device, with its seed
    (``DELETE v1/ds100/delete/otp``), Super Admin only. The device stays registered.

    **Not repeated** after a lost answer: a repeat answers 404. On a `TransportError` with
    ``request_sent``, `lookup_ds100` tells whether the credential is gone.

    Raises `Forbidden` (Help Desk Admin), `NotFound` (user, device, credential, or not this
    user's), `BadRequest`.
    """
    body = Ds100DeleteOtpRequest.model_construct(
        tokenSerialNumber=token_serial_number,
        deviceSerialNumber=device_serial_number,
        userId=user_id,
    )
    return Operation("DELETE", "v1/ds100/delete/otp", returns_nothing, body, idempotent=False)


def clear_ds100_otp_pin(user_id: str, token_serial_number: str) -> Operation[Ds100PinResponse]:
    """Clear the PIN of one of the user's DS100 OTP credentials (12 digits)
    (``PATCH v1/ds100/clearPin/otp``). Clearing a clear PIN answers 200, so retried freely.

    Raises `NotFound` (credential, or not this user's), `BadRequest`.
    """
    body = Ds100ClearPinRequest.model_construct(
        tokenSerialNumber=token_serial_number, userId=user_id
    )
    return Operation("PATCH", "v1/ds100/clearPin/otp", returns(Ds100PinResponse), body)
