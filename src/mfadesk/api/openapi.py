"""The OpenAPI 3.1 document of the admin API, generated from the `Endpoint` declarations.

Paths, methods, path and query parameters, request bodies and every status code with its
body schema come from `mfadesk.api.routes.ENDPOINTS`; body schemas are the wire models'
JSON schemas (pydantic), collected under ``components/schemas``. What the pipeline itself can
answer on any endpoint (403 in the filter's format, 429, 500, and 400 for bad query
parameters) is added where a declaration leaves it out, so the document cannot promise less
than the server does.

Regenerate the committed copy with ``python -m mfadesk.api.openapi > docs/openapi.json``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from mfadesk import __version__
from mfadesk.api.endpoint import Endpoint, Outcome
from mfadesk.api.routes import ENDPOINTS
from mfadesk.api.routes.outcomes import BAD_REQUEST, SERVER_ERROR, TOO_MANY
from mfadesk.wire.errors import AuthErrorBody

OPENAPI_VERSION = "3.1.0"
SECURITY_SCHEME = "adminJwt"
_REF = "#/components/schemas/{model}"
_PLACEHOLDER = re.compile(r"{(\w+)}")
_JSON = "application/json"
_REFUSED = Outcome("Not authorized: the JWT was refused (security filter body).", AuthErrorBody)

_DESCRIPTION = (
    "Self-hostable RSA SecurID Cloud Administration REST API: emergency tokencodes, SID700 "
    "hardware tokens, SecurID DS100 OTP credentials, users and the administration audit log. "
    "Every call carries `Authorization: Bearer <JWT>`, an RS256 JWT signed with the "
    "administrator's API key (`sub` = accessID, `aud` = the admin REST base URL, `iat`, `exp`, "
    "at most one hour). Errors are `{code, description}`; a refused JWT is a 403 in the "
    "security filter's format."
)


def _operation_id(summary: str) -> str:
    words: list[str] = re.findall(r"[A-Za-z0-9]+", summary)
    return words[0].lower() + "".join(w[:1].upper() + w[1:] for w in words[1:])


def _outcomes(endpoint: Endpoint) -> dict[int, Outcome]:
    """The declared outcomes plus those the pipeline gives every authenticated endpoint."""
    outcomes = dict(endpoint.outcomes)
    if endpoint.query_model is not None:
        outcomes.setdefault(400, BAD_REQUEST)
    forbidden = outcomes.get(403, _REFUSED)
    if AuthErrorBody not in forbidden.models:
        forbidden = Outcome(forbidden.description, AuthErrorBody, forbidden.models)
    outcomes[403] = forbidden
    outcomes.setdefault(429, TOO_MANY)
    outcomes.setdefault(500, SERVER_ERROR)
    return dict(sorted(outcomes.items()))


class _Schemas:
    """Every body model once, named as pydantic names it, under ``components/schemas``."""

    def __init__(self, endpoints: Sequence[Endpoint]) -> None:
        wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = []
        for endpoint in endpoints:
            if endpoint.request_model is not None:
                wanted.append((endpoint.request_model, "validation"))
            for outcome in _outcomes(endpoint).values():
                wanted.extend((model, "serialization") for model in outcome.models)
        unique = list(dict.fromkeys(wanted))
        refs, definitions = models_json_schema(unique, ref_template=_REF)
        self._refs = refs
        self.components = dict(sorted(definitions.get("$defs", {}).items()))

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return dict(self._refs[(model, mode)])


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PLACEHOLDER.findall(path)
    ]


def _query_parameters(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", ()))
    parameters = []
    for name, raw in schema.get("properties", {}).items():
        field_schema = {k: v for k, v in raw.items() if k not in ("title", "description")}
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
        description = model.model_fields[name].description
        if description:
            parameter["description"] = description
        parameter["schema"] = field_schema
        parameters.append(parameter)
    return parameters


def _response(outcome: Outcome, schemas: _Schemas, status: int) -> dict[str, Any]:
    response: dict[str, Any] = {"description": outcome.description}
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds until a request is allowed again.",
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    refs = [schemas.ref(model, "serialization") for model in outcome.models]
    if refs:
        schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
        response["content"] = {_JSON: {"schema": schema}}
    return response


def _operation(endpoint: Endpoint, schemas: _Schemas, operation_id: str) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "tags": [endpoint.tag],
        "summary": endpoint.summary,
        "operationId": operation_id,
    }
    parameters = _path_parameters(endpoint.path) + _query_parameters(endpoint.query_model)
    if parameters:
        operation["parameters"] = parameters
    if endpoint.request_model is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {_JSON: {"schema": schemas.ref(endpoint.request_model, "validation")}},
        }
    operation["responses"] = {
        str(status): _response(outcome, schemas, status)
        for status, outcome in _outcomes(endpoint).items()
    }
    return operation


def _unique_ids(endpoints: Iterable[Endpoint]) -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for endpoint in endpoints:
        base = _operation_id(endpoint.summary)
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}{seen[base]}")
    return ids


def build_document(endpoints: Sequence[Endpoint] = ENDPOINTS) -> dict[str, Any]:
    """The OpenAPI 3.1 document (paths are full, ``/AdminInterface/restapi/...``)."""
    schemas = _Schemas(endpoints)
    paths: dict[str, dict[str, Any]] = {}
    for endpoint, operation_id in zip(endpoints, _unique_ids(endpoints), strict=True):
        item = paths.setdefault(endpoint.full_path, {})
        item[endpoint.method.lower()] = _operation(endpoint, schemas, operation_id)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "mfadesk Cloud Administration REST API",
            "version": __version__,
            "description": _DESCRIPTION,
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "tags": [{"name": tag} for tag in dict.fromkeys(e.tag for e in endpoints)],
        "security": [{SECURITY_SCHEME: []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas.components,
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "RS256 JWT signed with the administrator's API key.",
                }
            },
        },
    }


def document_json(endpoints: Sequence[Endpoint] = ENDPOINTS) -> str:
    """The document as committed in ``docs/openapi.json`` (stable formatting)."""
    return json.dumps(build_document(endpoints), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(document_json())
