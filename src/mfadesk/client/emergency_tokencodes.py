"""Emergency tokencode operations."""

from __future__ import annotations

from typing import Literal

from mfadesk.client.operation import Operation, path, returns, returns_nothing
from mfadesk.wire.emergency_tokencodes import (
    EnableEmergencyTokencodeV1Request,
    EnableEmergencyTokencodeV1Response,
    EnableEmergencyTokencodeV2Request,
    EnableEmergencyTokencodeV2Response,
)

ExpiryUnit = Literal["days", "hours", "minutes"]


def enable_emergency_tokencode_v1(
    user_id: str, expiration_days: int
) -> Operation[EnableEmergencyTokencodeV1Response]:
    """Issue an emergency tokencode valid for 1..7 days
    (``PUT v1/users/{userId}/emergencyTokencode``). The code is in this response only.

    **Not idempotent**: each call issues a new code and retires the previous one, so the SDK
    never repeats it after a timeout or a dropped connection (it does after a 429 or a failed
    connect, when the service cannot have acted). A `TransportError` with ``request_sent``
    means a code may have been issued that nobody saw: issue another one.

    Raises `BadRequest` (``Invalid expiration date.``, ``User is disabled.``), `NotFound`.
    """
    body = EnableEmergencyTokencodeV1Request.model_construct(expirationDays=str(expiration_days))
    return Operation(
        "PUT",
        path("v1/users/{}/emergencyTokencode", user_id),
        returns(EnableEmergencyTokencodeV1Response),
        body,
        idempotent=False,
    )


def enable_emergency_tokencode_v2(
    user_id: str,
    *,
    expiry_unit: ExpiryUnit | None = None,
    expiry_value: int | None = None,
    one_time_use: bool | None = None,
) -> Operation[EnableEmergencyTokencodeV2Response]:
    """Issue an emergency tokencode (``PUT v2/users/{userId}/emergencyTokencode``) valid for
    `expiry_value` `expiry_unit` (together, 1 minute to 7 days), usable once with
    ``one_time_use=True``. Left out, each is the company's default. The reply says what was
    applied (``configurationsUsed``; a locked configuration overrides the request) and holds
    the code, in this response only.

    **Not idempotent**, like v1: never repeated after a timeout or a dropped connection.

    Raises `BadRequest` (unit/value/oneTimeUse invalid, ``User is disabled.``), `NotFound`.
    """
    body = EnableEmergencyTokencodeV2Request.model_construct(
        oneTimeUse=one_time_use, expiryUnit=expiry_unit, expiryValue=expiry_value
    )
    return Operation(
        "PUT",
        path("v2/users/{}/emergencyTokencode", user_id),
        returns(EnableEmergencyTokencodeV2Response),
        body,
        idempotent=False,
    )


def disable_emergency_tokencode(user_id: str, emergency_tokencode_id: str) -> Operation[None]:
    """Remove all of the user's emergency tokencodes online
    (``DELETE v1/users/{userId}/emergencyTokencode/{eacId}``); `emergency_tokencode_id` is
    the current one (`lookup_user(...).emergencyTokencodeId`). Offline agents keep their copy
    until its offline expiry. Idempotent (a repeat answers 200), so retried freely.

    Raises `NotFound` (user, or a code never issued to this user).
    """
    return Operation(
        "DELETE",
        path("v1/users/{}/emergencyTokencode/{}", user_id, emergency_tokencode_id),
        returns_nothing,
    )
