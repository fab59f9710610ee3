"""SecurID DS100 bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import RootModel

from mfadesk.wire.base import RequestModel, ResponseModel, SerialText, Timestamp, Uuid, digits
from mfadesk.wire.hardware_tokens import TokenStatusName

DeviceSerial = Annotated[str, digits(9), SerialText]


class Ds100OtpRequest(RequestModel):
    deviceSerialNumber: DeviceSerial
    userId: Uuid


class Ds100CredentialStatus(ResponseModel):
    userId: Uuid
    tokenSerialNumber: str
    tokenStatus: TokenStatusName
    tokenStatusChangedAt: Timestamp
    tokenStatusChangedBy: str
    deviceSerialNumber: str


class Ds100CredentialStatusList(RootModel[list[Ds100CredentialStatus]]):
    """The DS100 enable/disable reply: a JSON array."""


CredentialSerial = Annotated[str, digits(12), SerialText]


class Ds100LookupRequest(RequestModel):
    deviceSerialNumber: DeviceSerial


class Ds100CredentialDetails(ResponseModel):
    userId: Uuid | None
    assignedUserEmail: str | None
    deviceSerialNumber: str
    deviceType: Literal["SecurID DS100"]
    tokenSerialNumber: str
    tokenStatus: TokenStatusName
    tokenStatusChangedAt: Timestamp
    tokenStatusChangedBy: str
    pinSet: bool


class Ds100CredentialDetailsList(RootModel[list[Ds100CredentialDetails]]):
    """The DS100 lookup reply: one element per OTP credential of the device."""


class Ds100DeleteOtpRequest(RequestModel):
    tokenSerialNumber: CredentialSerial
    deviceSerialNumber: DeviceSerial
    userId: Uuid


class Ds100ClearPinRequest(RequestModel):
    tokenSerialNumber: CredentialSerial
    userId: Uuid


class Ds100PinResponse(ResponseModel):
    userId: Uuid
    tokenSerialNumber: str
    pinSet: bool


class Ds100DeleteResponse(ResponseModel):
    """``{}``: the delete reply (the cloud service documents no body)."""
