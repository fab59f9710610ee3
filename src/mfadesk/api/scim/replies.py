"""SCIM replies: `application/scim+json` bodies, and errors in the SCIM error schema
(RFC 7644 §3.12: `status` as a string, `scimType` where one applies)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from scim2_models import Error, SCIMException
from starlette.responses import Response

from mfadesk.domain.errors import DomainError

SCIM_JSON = "application/scim+json"


def scim_reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status_code=status, media_type=SCIM_JSON, headers=headers)


def scim_error(
    status: int,
    detail: str,
    scim_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    error = Error(status=status, scim_type=scim_type, detail=detail)
    return scim_reply(error.model_dump(), status, headers)


def domain_error_reply(error: DomainError) -> Response:
    scim_type = getattr(error, "scim_type", None)
    headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if error.status == 401 else None
    return scim_error(error.status, error.description, scim_type and str(scim_type), headers)


def library_error_reply(error: SCIMException | ValidationError) -> Response:
    """A request scim2-models refused (a payload that does not fit the schema, a PATCH that
    cannot apply): 400 with the keyword it chose."""
    if isinstance(error, ValidationError):
        errors = Error.from_validation_errors(error)
        found = errors[0] if errors else Error(status=400, detail="invalid request")
    else:
        found = error.to_error()
    status = found.status if found.status and 400 <= found.status < 500 else 400
    return scim_error(status, found.detail or "invalid request", found.scim_type)
