"""Emergency tokencode bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field

from mfadesk.wire.base import RequestModel, ResponseModel, Timestamp, Uuid


def _expiration_days_schema(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # absent is the documented 400, not a default
    schema["type"] = ["string", "integer"]


def _optional(extra: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """An optional field validated by the domain: absent means "the company default"."""

    def apply(schema: dict[str, Any]) -> None:
        schema.pop("default", None)
        schema.update(extra)

    return apply


class EnableEmergencyTokencodeV1Request(RequestModel):
    model_config = ConfigDict(json_schema_extra={"required": ["expirationDays"]})
    invalid_description: ClassVar[str | None] = "Invalid expiration date."
    # Documented as a string ("7"); integers are accepted too. Validated by the domain.
    expirationDays: Any = Field(default=None, json_schema_extra=_expiration_days_schema)


class EnableEmergencyTokencodeV1Response(ResponseModel):
    emergencyTokencodeId: Uuid
    emergencyTokencode: str
    expirationDate: Timestamp
    offlineExpirationDate: Timestamp


class EmptyResponse(ResponseModel):
    """``{}``: the disable-emergency-tokencode reply."""


class EnableEmergencyTokencodeV2Request(RequestModel):
    # All optional and validated by the domain: unit and value together, 1 minute to 7 days.
    oneTimeUse: Any = Field(default=None, json_schema_extra=_optional({"type": "boolean"}))
    expiryUnit: Any = Field(
        default=None,
        json_schema_extra=_optional({"type": "string", "enum": ["days", "hours", "minutes"]}),
    )
    expiryValue: Any = Field(
        default=None, json_schema_extra=_optional({"type": ["integer", "string"]})
    )


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
