"""SID700 hardware token operations."""

from __future__ import annotations

from typing import TypeVar

from mfadesk.client.operation import Operation, path, returns
from mfadesk.wire.base import ResponseModel
from mfadesk.wire.hardware_tokens import (
    AssignSidTokenRequest,
    SidTokenAssignmentResponse,
    SidTokenDetailsResponse,
    SidTokenPinResponse,
    SidTokenRequest,
    SidTokenStatusResponse,
    SidTokenUnassignmentResponse,
)

R = TypeVar("R", bound=ResponseModel)


def _users_token(
    template: str, user_id: str, serial: str, reply: type[R], *, idempotent: bool = True
) -> Operation[R]:
    """``PATCH <template with userId>`` with ``{"tokenSerialNumber"}``."""
    return Operation(
        "PATCH",
        path(template, user_id),
        returns(reply),
        SidTokenRequest.model_construct(tokenSerialNumber=serial),
        idempotent=idempotent,
    )


def disable_hardware_token(
    user_id: str, token_serial_number: str
) -> Operation[SidTokenStatusResponse]:
    """Disable the SID700 token assigned to this user
    (``PATCH v1/users/{userId}/sidTokens/disable``). Idempotent: retried freely.

    Raises `NotFound` (user or token), `Conflict` (token not assigned to this user),
    `BadRequest`, `Forbidden`.
    """
    return _users_token(
        "v1/users/{}/sidTokens/disable", user_id, token_serial_number, SidTokenStatusResponse
    )


def enable_hardware_token(
    user_id: str, token_serial_number: str
) -> Operation[SidTokenStatusResponse]:
    """Enable the SID700 token assigned to this user
    (``PATCH v1/users/{userId}/sidTokens/enable``). Idempotent: retried freely.

    Raises `NotFound` (user or token), `Conflict` (token not assigned to this user),
    `BadRequest`, `Forbidden`.
    """
    return _users_token(
        "v1/users/{}/sidTokens/enable", user_id, token_serial_number, SidTokenStatusResponse
    )


def lookup_hardware_token(token_serial_number: str) -> Operation[SidTokenDetailsResponse]:
    """A SID700 token's details (``POST v1/sidTokens/lookup``): status, the user it is
    assigned to (``userId``, ``assignedUserEmail``; null for a spare), ``pinSet``,
    ``expiryDate``. Read-only, so retried freely.

    Raises `NotFound`, `BadRequest`.
    """
    return Operation(
        "POST",
        "v1/sidTokens/lookup",
        returns(SidTokenDetailsResponse),
        SidTokenRequest.model_construct(tokenSerialNumber=token_serial_number),
    )


def assign_hardware_token(
    user_id: str, token_serial_number: str, *, token_name: str | None = None
) -> Operation[SidTokenAssignmentResponse]:
    """Assign a spare SID700 token to the user, which enables it
    (``PATCH v1/users/{userId}/sidTokens/assign``); `token_name` defaults to the serial.
    Assigning again to the same user answers 200 (renaming it if the name differs), so
    retried freely.

    Raises `Conflict` (assigned to another user), `NotFound` (user or token), `BadRequest`.
    """
    body = AssignSidTokenRequest.model_construct(
        tokenSerialNumber=token_serial_number, tokenName=token_name
    )
    return Operation(
        "PATCH",
        path("v1/users/{}/sidTokens/assign", user_id),
        returns(SidTokenAssignmentResponse),
        body,
    )


def unassign_hardware_token(
    user_id: str, token_serial_number: str
) -> Operation[SidTokenUnassignmentResponse]:
    """Return the user's SID700 token to the spare pool, Disabled
    (``PATCH v1/users/{userId}/sidTokens/unassign``).

    **Not repeated** after a lost answer: a repeat answers 409 (no longer this user's token),
    which would hide the success. On a `TransportError` with ``request_sent``, check
    `lookup_hardware_token`.

    Raises `Conflict` (not assigned to this user), `NotFound` (user or token), `BadRequest`.
    """
    return _users_token(
        "v1/users/{}/sidTokens/unassign",
        user_id,
        token_serial_number,
        SidTokenUnassignmentResponse,
        idempotent=False,
    )


def delete_hardware_token(token_serial_number: str) -> Operation[SidTokenDetailsResponse]:
    """Delete a SID700 token record, assigned or not (``DELETE v1/sidTokens/delete``),
    Super Admin only; answers the token's details as they were.

    **Not repeated** after a lost answer: a repeat answers 404. On a `TransportError` with
    ``request_sent``, a `NotFound` from `lookup_hardware_token` means it was deleted.

    Raises `Forbidden` (Help Desk Admin), `NotFound`, `BadRequest`.
    """
    return Operation(
        "DELETE",
        "v1/sidTokens/delete",
        returns(SidTokenDetailsResponse),
        SidTokenRequest.model_construct(tokenSerialNumber=token_serial_number),
        idempotent=False,
    )


def clear_hardware_token_pin(
    user_id: str, token_serial_number: str
) -> Operation[SidTokenPinResponse]:
    """Clear the PIN of the user's SID700 token: the user sets a new one at the next
    authentication (``PATCH v2/users/{userId}/sidTokens/clearPin``). Clearing a clear PIN
    answers 200, so retried freely.

    Raises `Conflict` (not assigned to this user), `NotFound` (user or token), `BadRequest`.
    """
    return _users_token(
        "v2/users/{}/sidTokens/clearPin", user_id, token_serial_number, SidTokenPinResponse
    )
