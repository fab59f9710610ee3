"""Common configuration of request and response models."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

Uuid = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ),
]

NO_NUL = r"^[^\x00]*$"


def text(min_length: int = 0, max_length: int | None = None) -> StringConstraints:
    """A request's free text: a JSON string (not a number) of these lengths, without the NUL
    character, which PostgreSQL cannot store or compare (and no client means)."""
    return StringConstraints(
        min_length=min_length or None, max_length=max_length, strict=True, pattern=NO_NUL
    )


def digits(count: int) -> StringConstraints:
    """Exactly `count` digits (the pattern is in the 400's text: keep its spelling)."""
    return StringConstraints(pattern=f"^\\d{{{count}}}$", strict=True)


def _number_as_text(value: object) -> object:
    """Tolerance: a serial number sent as a JSON integer means its decimal digits."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return value


SerialText = BeforeValidator(_number_as_text)
"""For serial-number fields: documented and sent as strings, accepted as integers too."""

Timestamp = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")]


class RequestModel(BaseModel):
    """A request body. `invalid_description` is the contract's 400 text for a bad value."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    invalid_description: ClassVar[str | None] = None


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class QueryModel(BaseModel):
    """Query parameters. Unknown ones are ignored; an empty value counts as absent."""

    model_config = ConfigDict(extra="ignore", frozen=True)
