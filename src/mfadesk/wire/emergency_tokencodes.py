"""Emergency tokencode bodies."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from mfadesk.wire.base import RequestModel, ResponseModel, Timestamp, Uuid


class EnableEmergencyTokencodeV1Request(RequestModel):
    invalid_description: ClassVar[str | None] = "Invalid expiration date."
    # Documented as a string ("7"); integers are accepted too. Validated by the domain.
    expirationDays: Any = Field(default=None, json_schema_extra={"type": ["string", "integer"]})


class EnableEmergencyTokencodeV1Response(ResponseModel):
    emergencyTokencodeId: Uuid
    emergencyTokencode: str
    expirationDate: Timestamp
    offlineExpirationDate: Timestamp


class EmptyResponse(ResponseModel):
    """``{}``: the disable-emergency-tokencode reply."""
