"""Emergency tokencode bodies."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

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


class EnableEmergencyTokencodeV2Request(RequestModel):
    # All optional and validated by the domain: unit and value together, 1 minute to 7 days.
    oneTimeUse: Any = Field(default=None, json_schema_extra={"type": "boolean"})
    expiryUnit: Any = Field(
        default=None, json_schema_extra={"type": "string", "enum": ["days", "hours", "minutes"]}
    )
    expiryValue: Any = Field(default=None, json_schema_extra={"type": ["integer", "string"]})


class ConfigurationsUsed(ResponseModel):
    expiryValue: int
    expiryUnit: Literal["days", "hours", "minutes"]
    oneTimeUse: bool


class EnableEmergencyTokencodeV2Response(ResponseModel):
    emergencyTokencodeId: Uuid
    emergencyTokencode: str
    expirationDate: Timestamp
    offlineExpirationDate: Timestamp
    oneTimeUse: bool
    configurationsUsed: ConfigurationsUsed
    configurationsLocked: bool
