"""SID700 hardware token bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from mfadesk.wire.base import RequestModel, ResponseModel, Timestamp, Uuid

TokenSerial = Annotated[str, StringConstraints(min_length=1, max_length=36, strict=True)]
TokenStatusName = Literal["Enabled", "Disabled"]


class SidTokenRequest(RequestModel):
    tokenSerialNumber: TokenSerial


class SidTokenStatusResponse(ResponseModel):
    userId: Uuid
    tokenSerialNumber: str
    tokenStatus: TokenStatusName
    tokenStatusChangedBy: str
    tokenStatusChangedAt: Timestamp
