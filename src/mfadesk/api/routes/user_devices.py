"""Authenticator Details v2: the SID700 tokens and DS100 devices a user holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from starlette.responses import Response

from mfadesk.api.endpoint import AdminRequest, Endpoint, Outcome
from mfadesk.api.responses import json_response
from mfadesk.api.routes.outcomes import BAD_REQUEST, FORBIDDEN, NOT_FOUND, SERVER_ERROR, TOO_MANY
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.ds100 import OtpCredential
from mfadesk.domain.errors import BadRequest
from mfadesk.domain.hardware_tokens import HardwareToken
from mfadesk.domain.oauth_clients import Scope
from mfadesk.services.user_devices import DeviceWithCredentials, list_user_devices
from mfadesk.wire.user_devices import (
    Ds100DeviceEntry,
    Ds100OtpCredentialEntry,
    SidTokenEntry,
    UserDevicesQuery,
    UserDevicesResponse,
)


def _expiry(day: date | None) -> str | None:
    """Token expiry dates are days; the wire shows them as midnight UTC, as the reference does."""
    return None if day is None else format_timestamp(datetime.combine(day, time(), UTC))


def _sid_token(token: HardwareToken) -> SidTokenEntry:
    return SidTokenEntry(
        deviceType="SID700",
        tokenSerialNumber=token.serial,
        name=token.name,
        tokenStatus=token.status.value,
        tokenStatusChangedAt=format_timestamp(token.status_changed_at),
        tokenStatusChangedBy=token.status_changed_by,
        pinSet=token.pin_set,
        expiryDate=_expiry(token.expiry_date),
    )


def _credential(credential: OtpCredential) -> Ds100OtpCredentialEntry:
    return Ds100OtpCredentialEntry(
        tokenSerialNumber=credential.serial,
        tokenStatus=credential.status.value,
        tokenStatusChangedAt=format_timestamp(credential.status_changed_at),
        tokenStatusChangedBy=credential.status_changed_by,
        pinSet=credential.pin_set,
    )


def _ds100(entry: DeviceWithCredentials) -> Ds100DeviceEntry:
    return Ds100DeviceEntry(
        deviceType="SecurID DS100",
        deviceSerialNumber=entry.device.serial,
        otpCredentials=[_credential(c) for c in entry.credentials],
    )


def _include_browsers(request: AdminRequest) -> None:
    """`UserDevicesQuery.includeBrowsers`, accepted for compatibility: mfadesk keeps no browser
    authenticators to include."""
    raw = request.http.query_params.get("includeBrowsers")
    if raw is not None and raw.strip().lower() not in ("", "true", "false"):
        raise BadRequest("includeBrowsers must be true or false")


async def devices(request: AdminRequest) -> Response:
    _include_browsers(request)
    found = await request.run(list_user_devices, request.path("userId").lower())
    return json_response(
        UserDevicesResponse(
            devices=[_ds100(d) for d in found.ds100_devices],
            fidoTokens=[],
            sidTokens=[_sid_token(t) for t in found.hardware_tokens],
        )
    )


ENDPOINTS = (
    Endpoint(
        "GET",
        "/v2/users/{userId}/devices",
        "Authenticator Details (version 2): DS100 devices in devices[], SID700 in sidTokens[]",
        devices,
        None,
        {
            200: Outcome("The user's authenticators.", UserDevicesResponse),
            400: Outcome("includeBrowsers is not true or false.", BAD_REQUEST.model),
            403: FORBIDDEN,
            404: Outcome("User <id> not found.", NOT_FOUND.model),
            429: TOO_MANY,
            500: SERVER_ERROR,
        },
        tag="users",
        scope=Scope.USER_READ,
        query_model=UserDevicesQuery,
    ),
)
