"""User bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from mfadesk.wire.base import RequestModel, ResponseModel, Timestamp, Uuid

Email = Annotated[str, StringConstraints(min_length=1, max_length=320, strict=True)]


class UserLookupRequest(RequestModel):
    email: Email
    searchUnsynched: bool | None = None


class UserDetailsResponse(ResponseModel):
    id: Uuid
    emailAddress: str
    firstName: str
    lastName: str
    userStatus: Literal["Enabled", "Disabled"]
    markDeleted: bool = False  # ours; absent from the cloud service's documented fields
    emergencyAccessStatus: Literal["Enabled", "Disabled"]
    emergencyTokencodeId: Uuid | None
    emergencyTokencodeExpiration: Timestamp | None
    offlineEmergencyTokencodeExpiration: Timestamp | None
    offlineEmergencyAccessStatus: Literal["Enabled", "Disabled"]
