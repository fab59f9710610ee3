"""Emergency tokencode bodies."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ConfigDict, Field

from mfadesk.wire.base import RequestModel, ResponseModel, Timestamp, Uuid


def _expiration_days_schema(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # absent is the documented 400, not a default
    schema["type"] = ["string", "integer"]


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
