"""SID700 hardware token routes."""

from __future__ import annotations

from starlette.responses import Response

from mfadesk.api.endpoint import AdminRequest, Endpoint, Outcome
from mfadesk.api.responses import json_response
from mfadesk.api.routes.outcomes import (
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    SERVER_ERROR,
    TOO_MANY,
)
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.hardware_tokens import HardwareToken, TokenStatus
from mfadesk.services.hardware_tokens import set_hardware_token_status
from mfadesk.wire.hardware_tokens import SidTokenRequest, SidTokenStatusResponse


def token_status_body(token: HardwareToken, user_id: str) -> SidTokenStatusResponse:
    return SidTokenStatusResponse(
        userId=user_id,
        tokenSerialNumber=token.serial,
        tokenStatus=token.status.value,
        tokenStatusChangedBy=token.status_changed_by,
        tokenStatusChangedAt=format_timestamp(token.status_changed_at),
    )


async def _set_status(request: AdminRequest, status: TokenStatus) -> Response:
    body = await request.body(SidTokenRequest)
    user_id = request.path("userId").lower()
    token = await request.run(set_hardware_token_status, user_id, body.tokenSerialNumber, status)
    return json_response(token_status_body(token, user_id))


async def disable(request: AdminRequest) -> Response:
    return await _set_status(request, TokenStatus.DISABLED)


async def enable(request: AdminRequest) -> Response:
    return await _set_status(request, TokenStatus.ENABLED)


def _outcomes(verb: str) -> dict[int, Outcome]:
    return {
        200: Outcome(
            f"Successfully {verb}d hardware token assigned to a user.", SidTokenStatusResponse
        ),
        400: BAD_REQUEST,
        403: FORBIDDEN,
        404: Outcome("Either the user or the hardware token does not exist.", NOT_FOUND.model),
        409: Outcome(
            f"Cannot {verb} a hardware token that is not assigned to this user.", CONFLICT.model
        ),
        429: TOO_MANY,
        500: SERVER_ERROR,
    }


ENDPOINTS = (
    Endpoint(
        "PATCH",
        "/v1/users/{userId}/sidTokens/disable",
        "Disable Hardware Token",
        disable,
        SidTokenRequest,
        _outcomes("disable"),
        tag="hardware tokens",
    ),
    Endpoint(
        "PATCH",
        "/v1/users/{userId}/sidTokens/enable",
        "Enable Hardware Token",
        enable,
        SidTokenRequest,
        _outcomes("enable"),
        tag="hardware tokens",
    ),
)
