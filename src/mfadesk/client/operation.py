"""An operation: one admin endpoint call, described once for the sync and the async client.

A builder function per endpoint (in `users.py`, `emergency_tokencodes.py`, …) turns typed
arguments into an `Operation`: method, path, body (a `mfadesk.wire` request model), whether a
repeat is harmless, and how to parse the success body (a `mfadesk.wire` response model).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, RootModel

from mfadesk.wire.base import RequestModel

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class Operation(Generic[T]):
    method: str
    path: str  # relative to the key file's adminRestApiUrl, e.g. "v1/users/lookup"
    parse: Callable[[bytes], T]
    body: RequestModel | None = None
    params: Mapping[str, str | int] | None = None
    idempotent: bool = True  # may the SDK repeat it when it cannot know if it was applied?

    def json(self) -> Any:
        if self.body is None:
            return None
        return self.body.model_dump(mode="json", exclude_none=True, warnings=False)


def path(template: str, *segments: str) -> str:
    """Fill ``{}`` placeholders with percent-encoded path segments."""
    return template.format(*(quote(str(s), safe="") for s in segments))


def returns(model: type[M]) -> Callable[[bytes], M]:
    """Parse the body as one wire model."""
    return model.model_validate_json


def returns_list(model: type[RootModel[list[E]]]) -> Callable[[bytes], list[E]]:
    """Parse a JSON array (a wire `RootModel[list[...]]`) and hand back the list."""

    def parse(content: bytes) -> list[E]:
        return model.model_validate_json(content).root

    return parse


def returns_nothing(content: bytes) -> None:
    """A body the caller has no use for (``{}``)."""
