"""Authenticator Details v2 (``GET /v2/users/{userId}/devices``) bodies."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from mfadesk.wire.base import QueryModel, ResponseModel, Timestamp
from mfadesk.wire.hardware_tokens import TokenStatusName


class UserDevicesQuery(QueryModel):
    includeBrowsers: Annotated[
        bool | None,
        Field(description="Accepted for compatibility; mfadesk keeps no browser authenticators."),
    ] = None


class SidTokenEntry(ResponseModel):
    """A SID700 token, named as in Retrieve Hardware Token Details."""

    deviceType: Literal["SID700"]
    tokenSerialNumber: str
    name: str | None
    tokenStatus: TokenStatusName
    tokenStatusChangedAt: Timestamp
    tokenStatusChangedBy: str
    pinSet: bool
    expiryDate: Timestamp | None


class Ds100OtpCredentialEntry(ResponseModel):
    tokenSerialNumber: str
    tokenStatus: TokenStatusName
    tokenStatusChangedAt: Timestamp
    tokenStatusChangedBy: str
    pinSet: bool


class Ds100DeviceEntry(ResponseModel):
    """A DS100 device registered to the user, with its OTP credentials."""

    deviceType: Literal["SecurID DS100"]
    deviceSerialNumber: str
    otpCredentials: list[Ds100OtpCredentialEntry]


class UserDevicesResponse(ResponseModel):
    devices: list[Ds100DeviceEntry]
    fidoTokens: list[dict[str, Any]]
    sidTokens: list[SidTokenEntry]
