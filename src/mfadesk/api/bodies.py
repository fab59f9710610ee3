"""Request bodies: the one place every body (admin API and /mfa) is read and parsed.

A body is JSON as RFC 8259 defines it and, beyond what the parser checks, names each member of
an object once: ``{"tokenSerialNumber": "1", "tokenSerialNumber": "2"}`` is refused rather than
read as its last value (a proxy or a log may have read the first). Its size is bounded where
the request enters the app (`mfadesk.api.limits`).
"""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import ValidationError
from starlette.requests import Request

from mfadesk.domain.errors import BadRequest
from mfadesk.wire.base import RequestModel

MALFORMED_BODY = "Malformed JSON request body."
_SHOWN_KEY = 64  # characters of a duplicated key repeated in the 400

M = TypeVar("M", bound=RequestModel)


async def read_body(http: Request, model: type[M]) -> M:
    """The request body as ``model``, or the contract's 400."""
    raw = await http.body()
    try:
        parsed = model.model_validate_json(raw or b"null")
    except ValidationError as error:
        raise BadRequest(describe_body_error(model, error)) from error
    # Every member of an object is followed by a ':', so a body with fewer than two has no
    # duplicate: most bodies (one field) never pay for the slower check.
    if raw.count(b":") > 1:
        duplicate = duplicated_key(raw)
        if duplicate is not None:
            shown = duplicate if len(duplicate) <= _SHOWN_KEY else duplicate[:_SHOWN_KEY] + "…"
            raise BadRequest(f"Duplicate key {json.dumps(shown)} in the JSON request body.")
    return parsed


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _distinct(pairs: list[tuple[str, object]]) -> None:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _Duplicate(key)
        seen.add(key)


def _ignored(text: str) -> None:
    """Numbers are not needed to find duplicates: not converting them is cheaper."""


def duplicated_key(raw: bytes) -> str | None:
    """The first key an object of this (valid) JSON document names twice, at any depth."""
    try:
        json.loads(
            raw,
            object_pairs_hook=_distinct,
            parse_int=_ignored,
            parse_float=_ignored,
            parse_constant=_ignored,
        )
    except _Duplicate as duplicate:
        return duplicate.key
    except (ValueError, RecursionError) as error:  # what the model's parser let through
        raise BadRequest(MALFORMED_BODY) from error
    return None


def describe_body_error(model: type[RequestModel], error: ValidationError) -> str:
    """The 400 description of a body that does not validate."""
    problems = error.errors(include_url=False)
    if any(p["type"] in ("json_invalid", "json_type") for p in problems):
        return MALFORMED_BODY
    if problems and problems[0]["type"] == "model_type":
        return MALFORMED_BODY if model.invalid_description is None else model.invalid_description
    if model.invalid_description is not None:
        return model.invalid_description
    first = problems[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}"
