"""SecurID DS100 bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import RootModel, StringConstraints

from mfadesk.wire.base import RequestModel, ResponseModel, Timestamp, Uuid
from mfadesk.wire.hardware_tokens import TokenStatusName

DeviceSerial = Annotated[str, StringConstraints(pattern=r"^\d{9}$", strict=True)]


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
