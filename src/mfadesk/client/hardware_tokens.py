"""SID700 hardware token operations."""

from __future__ import annotations

from mfadesk.client.operation import Operation, path, returns
from mfadesk.wire.hardware_tokens import SidTokenRequest, SidTokenStatusResponse


def _set_status(verb: str, user_id: str, serial: str) -> Operation[SidTokenStatusResponse]:
    return Operation(
        "PATCH",
        path("v1/users/{}/sidTokens/" + verb, user_id),
        returns(SidTokenStatusResponse),
        SidTokenRequest.model_construct(tokenSerialNumber=serial),
    )


def disable_hardware_token(
    user_id: str, token_serial_number: str
) -> Operation[SidTokenStatusResponse]:
    """Disable the SID700 token assigned to this user
    (``PATCH v1/users/{userId}/sidTokens/disable``). Idempotent: retried freely.

    Raises `NotFound` (user or token), `Conflict` (token not assigned to this user),
    `BadRequest`, `Forbidden`.
    """
    return _set_status("disable", user_id, token_serial_number)


def enable_hardware_token(
    user_id: str, token_serial_number: str
) -> Operation[SidTokenStatusResponse]:
    """Enable the SID700 token assigned to this user
    (``PATCH v1/users/{userId}/sidTokens/enable``). Idempotent: retried freely.

    Raises `NotFound` (user or token), `Conflict` (token not assigned to this user),
    `BadRequest`, `Forbidden`.
    """
    return _set_status("enable", user_id, token_serial_number)
