"""Emergency tokencode bodies."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field

from mfadesk.wire.base import RequestModel, ResponseModel, Timestamp, Uuid
from mfadesk.wire.schemas import BOOLEAN_OR_TEXT, JsonSchema, replaced_by

# The domain's bounds (`domain.emergency_tokencodes`), which the wire may not import; a test
# compares them.
MAX_DAYS = 7
MAX_MINUTES = MAX_DAYS * 24 * 60
UNIT_MAXIMA = {"days": MAX_DAYS, "hours": MAX_DAYS * 24, "minutes": MAX_MINUTES}


class EnableEmergencyTokencodeV1Request(RequestModel):
    model_config = ConfigDict(json_schema_extra={"required": ["expirationDays"]})
    invalid_description: ClassVar[str | None] = "Invalid expiration date."
    # Validated by the domain.
    expirationDays: Any = Field(
        default=None,
        description='Days of validity, 1 to 7: a string as documented (`"7"`) or an integer.',
        json_schema_extra=replaced_by(
            {
                "anyOf": [
                    {"type": "string", "pattern": f"^[1-{MAX_DAYS}]$"},
                    {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
                ]
            }
        ),
    )


class EnableEmergencyTokencodeV1Response(ResponseModel):
    emergencyTokencodeId: Uuid
    emergencyTokencode: str
    expirationDate: Timestamp
    offlineExpirationDate: Timestamp


class EmptyResponse(ResponseModel):
    """``{}``: the disable-emergency-tokencode reply."""


def _validity_rules(schema: JsonSchema) -> None:
    """`expiryUnit` and `expiryValue` together or neither, 1 minute to 7 days in all."""
    given = [{"required": ["expiryUnit"]}, {"required": ["expiryValue"]}]
    schema["anyOf"] = [
        {"not": {"anyOf": given}},
        *(
            {
                "required": ["expiryUnit", "expiryValue"],
                "properties": {
                    "expiryUnit": {"const": unit},
                    "expiryValue": {"maximum": maximum},
                },
            }
            for unit, maximum in UNIT_MAXIMA.items()
        ),
    ]


class EnableEmergencyTokencodeV2Request(RequestModel):
    """Every field is optional; absent means the company's default."""

    model_config = ConfigDict(json_schema_extra=_validity_rules)
    # Validated by the domain.
    oneTimeUse: Any = Field(
        default=None,
        description="A boolean, or the string `true` / `false` (any case).",
        json_schema_extra=replaced_by(BOOLEAN_OR_TEXT),
    )
    expiryUnit: Any = Field(
        default=None,
        description="The unit of `expiryValue` (any case is accepted); given with it.",
        json_schema_extra=replaced_by({"type": "string", "enum": list(UNIT_MAXIMA)}),
    )
    expiryValue: Any = Field(
        default=None,
        description=(
            "The validity in `expiryUnit`s, given with it: 1 minute to 7 days in all. A string"
            ' of digits (`"36"`) is accepted too.'
        ),
        json_schema_extra=replaced_by({"type": "integer", "minimum": 1, "maximum": MAX_MINUTES}),
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
