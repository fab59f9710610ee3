"""SID700 hardware token bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mfadesk.wire.base import RequestModel, ResponseModel, SerialText, Timestamp, Uuid, text

# A serial sent as a JSON integer (its decimal digits) is accepted too.
TokenSerial = Annotated[str, text(1, 36), SerialText]
TokenStatusName = Literal["Enabled", "Disabled"]
# What the assign reply's `tokenState` says (docs/decisions.md, "Hardware token and DS100
# administration"). Typed as any string: the cloud service's wording may differ, and the SDK
# must not refuse its reply over it.
ASSIGNED_TOKEN_STATE = "Activation Pending"


class SidTokenRequest(RequestModel):
    tokenSerialNumber: TokenSerial


class SidTokenStatusResponse(ResponseModel):
    userId: Uuid
    tokenSerialNumber: str
    tokenStatus: TokenStatusName
    tokenStatusChangedBy: str
    tokenStatusChangedAt: Timestamp


TokenName = Annotated[str, text(1, 255)]


class AssignSidTokenRequest(RequestModel):
    tokenSerialNumber: TokenSerial
    tokenName: TokenName | None = None  # default: the serial number


class SidTokenAssignmentResponse(ResponseModel):
    """The assign reply: the disable reply's fields plus the token's state and name."""

    userId: Uuid
    tokenSerialNumber: str
    tokenState: str = Field(
        description=f"mfadesk answers {ASSIGNED_TOKEN_STATE!r}.", examples=[ASSIGNED_TOKEN_STATE]
    )
    tokenName: str
    tokenStatus: TokenStatusName
    tokenStatusChangedBy: str
    tokenStatusChangedAt: Timestamp


class SidTokenUnassignmentResponse(ResponseModel):
    """The unassign reply; `tokenState` as the cloud service reports it."""

    userId: Uuid
    tokenSerialNumber: str
    tokenState: Literal["Unassigned"]
    tokenStatus: TokenStatusName
    tokenStatusChangedBy: str
    tokenStatusChangedAt: Timestamp


class SidTokenDetailsResponse(ResponseModel):
    """Hardware token details (lookup; also the delete reply, as the token was)."""

    tokenSerialNumber: str
    deviceType: Literal["SID700"]
    tokenStatus: TokenStatusName
    userId: Uuid | None
    assignedUserEmail: str | None
    name: str | None
    assignedBy: str | None
    assignedAt: Timestamp | None
    registeredDate: Timestamp | None
    pinSet: bool
    expiryDate: Timestamp | None
    tokenStatusChangedBy: str
    tokenStatusChangedAt: Timestamp


class SidTokenPinResponse(ResponseModel):
    userId: Uuid
    tokenSerialNumber: str
    pinSet: bool
