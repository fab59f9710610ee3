"""The OpenAPI 3.1 documents of the two APIs, generated from their endpoint declarations.

Paths, methods, path and query parameters, request bodies and every status code with its
body schema come from the declarations (`mfadesk.api.routes.ENDPOINTS` for the admin API,
`mfadesk.api.authn.AUTHN_ENDPOINTS` for the authentication API); body schemas are the wire
models' JSON schemas (pydantic), collected under ``components/schemas``. What the app answers
on any operation (the refusal of its credentials in the filter's format, 413, 429, 431, 500,
and for the admin API 400 for bad query parameters) is added where a declaration leaves it
out, so a document cannot promise less than the server does.

Regenerate the committed copies with ``python -m mfadesk.api.openapi > docs/openapi.json`` and
``python -m mfadesk.api.openapi authn > docs/openapi-authn.json``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from mfadesk import __version__
from mfadesk.api.authn import AUTHN_ENDPOINTS
from mfadesk.api.authn.outcomes import UNAUTHORIZED
from mfadesk.api.endpoint import Endpoint, Outcome
from mfadesk.api.limits import MAX_HEADER_BYTES, MAX_HEADER_FIELDS
from mfadesk.api.oauth import TOKEN_PATH
from mfadesk.api.routes import ENDPOINTS
from mfadesk.api.routes.outcomes import BAD_REQUEST, SERVER_ERROR, TOO_MANY
from mfadesk.domain.oauth_clients import KNOWN_SCOPES, Scope
from mfadesk.wire.base import QueryModel, RequestModel
from mfadesk.wire.errors import AuthErrorBody, ErrorBody

OPENAPI_VERSION = "3.1.0"
_REF = "#/components/schemas/{model}"
_PLACEHOLDER = re.compile(r"{(\w+)}")
_JSON = "application/json"
_PAYLOAD_TOO_LARGE = Outcome(
    "The request body is larger than the deployment allows (`MFADESK_MAX_BODY_BYTES`, 1 MiB "
    "by default); answered before it is read, and the connection is closed.",
    ErrorBody,
)
_HEAD_TOO_LARGE = Outcome(
    f"More than {MAX_HEADER_FIELDS} header fields, or more than {MAX_HEADER_BYTES} bytes of "
    "them; the connection is closed.",
    ErrorBody,
)


class Operation(Protocol):
    """What a document needs of an endpoint declaration (`Endpoint`, `AuthnEndpoint`)."""

    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def full_path(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def tag(self) -> str: ...
    @property
    def request_model(self) -> type[RequestModel] | None: ...
    @property
    def query_model(self) -> type[QueryModel] | None: ...
    @property
    def outcomes(self) -> Mapping[int, Outcome]: ...


@dataclass(frozen=True, slots=True)
class Api:
    """One API's document: its operations and what the app answers on every one of them."""

    title: str
    description: str
    operations: Sequence[Operation]
    security_name: str
    security_scheme: dict[str, Any]
    refused_status: int  # the refusal of the credentials, in the security filter's format
    refused: Outcome
    bad_query: Outcome | None  # the answer to a bad query parameter, if the API has one
    # More schemes, and the security requirement of each operation (default: the one scheme).
    other_schemes: dict[str, dict[str, Any]] = field(default_factory=dict)
    security_of: Callable[[Any], list[dict[str, list[str]]]] | None = None


SCOPE_DESCRIPTIONS = {
    Scope.USER_READ: "Look up and search users, list their authenticators.",
    Scope.USER_MANAGE: "Enable and disable users.",
    Scope.USER_SYNC: "Synchronize a user.",
    Scope.USER_DELETE_SOFT: "Mark users deleted, or take the mark back.",
    Scope.USER_DELETE: "Delete a user now (no endpoint of mfadesk needs it yet).",
    Scope.GROUP_USERS_MANAGE: "Create local users.",
    Scope.EMERGENCY_MANAGE: "Enable and disable emergency tokencodes.",
    Scope.SIDTOKEN_READ: "Look up SID700 hardware tokens.",
    Scope.SIDTOKEN_MANAGE: "Enable, disable, assign, unassign SID700 tokens; clear their PIN.",
    Scope.SIDTOKEN_DELETE: "Delete SID700 hardware tokens.",
    Scope.DS100_READ: "Look up DS100 devices.",
    Scope.DS100_MANAGE: "Enable and disable DS100 OTP credentials; clear their PIN.",
    Scope.DS100_DELETE: "Delete DS100 OTP credentials.",
    Scope.AUDIT_ADMIN: "Export the admin audit log.",
    Scope.AUDIT_USER: "Export the user event log.",
}
assert set(SCOPE_DESCRIPTIONS) == set(KNOWN_SCOPES)


def _admin_security(endpoint: Endpoint) -> list[dict[str, list[str]]]:
    """An API-key JWT (its role decides) or an OAuth access token with the endpoint's scope."""
    oauth = {"oauth2": [endpoint.scope]}
    return [oauth] if endpoint.oauth_only else [{"adminJwt": []}, oauth]


ADMIN_API = Api(
    title="mfadesk Cloud Administration REST API",
    description=(
        "Self-hostable RSA SecurID Cloud Administration REST API: emergency tokencodes, SID700 "
        "hardware tokens, SecurID DS100 OTP credentials, users and the administration audit "
        "log. Every call carries `Authorization: Bearer <token>`: an RS256 JWT signed with the "
        "administrator's API key (`sub` = accessID, `aud` = the admin REST base URL, `iat`, "
        "`exp`, at most one hour), or an OAuth 2.0 access token from `POST /oauth/token` "
        "(client credentials, `private_key_jwt`), which must carry the operation's scope. "
        "Errors are `{code, description}`; a refused token is a 403 in the security filter's "
        "format, a missing scope a 403 with the error body. The authentication API agents "
        "call is documented apart: `/mfa/v1_1/openapi.json`."
    ),
    operations=ENDPOINTS,
    security_name="adminJwt",
    security_scheme={
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "RS256 JWT signed with the administrator's API key.",
    },
    refused_status=403,
    refused=Outcome("Not authorized: the JWT was refused (security filter body).", AuthErrorBody),
    bad_query=BAD_REQUEST,
    other_schemes={
        "oauth2": {
            "type": "oauth2",
            "description": (
                "OAuth 2.0 client credentials: the client authenticates at the token endpoint "
                "with a `private_key_jwt` assertion (RS256 or ES256) and sends the access token "
                "as a bearer token. Metadata: `/oauth/.well-known/oauth-authorization-server`."
            ),
            "flows": {
                "clientCredentials": {
                    "tokenUrl": TOKEN_PATH,
                    "scopes": {scope: SCOPE_DESCRIPTIONS[scope] for scope in KNOWN_SCOPES},
                }
            },
        }
    },
    security_of=_admin_security,
)

AUTHN_API = Api(
    title="mfadesk SecurID Authentication API",
    description=(
        "What authentication agents call to authenticate users (`/mfa/v1_1`): initialize an "
        "attempt, verify credentials, ask its status, cancel it; prompt texts and offline "
        "emergency tokencode data. Every call carries the agent's `client-key` header. A wrong "
        "credential is no HTTP error: it is HTTP 200 with `attemptResponseCode` `FAIL`. "
        "Transport errors are `{code, description}`; a missing or unknown `client-key` is a "
        "401 in the security filter's format."
    ),
    operations=AUTHN_ENDPOINTS,
    security_name="clientKey",
    security_scheme={
        "type": "apiKey",
        "in": "header",
        "name": "client-key",
        "description": "The agent's key, as printed once by `mfadesk authn-key add`.",
    },
    refused_status=401,
    refused=UNAUTHORIZED,
    bad_query=None,
)


def _operation_id(summary: str) -> str:
    words: list[str] = re.findall(r"[A-Za-z0-9]+", summary)
    return words[0].lower() + "".join(w[:1].upper() + w[1:] for w in words[1:])


def _outcomes(api: Api, operation: Operation) -> dict[int, Outcome]:
    """The declared outcomes plus those the app gives every operation."""
    outcomes = dict(operation.outcomes)
    if operation.query_model is not None and api.bad_query is not None:
        outcomes.setdefault(400, api.bad_query)
    refused = outcomes.get(api.refused_status, api.refused)
    if AuthErrorBody not in refused.models:
        refused = Outcome(refused.description, AuthErrorBody, refused.models)
    outcomes[api.refused_status] = refused
    outcomes.setdefault(413, _PAYLOAD_TOO_LARGE)
    outcomes.setdefault(429, TOO_MANY)
    outcomes.setdefault(431, _HEAD_TOO_LARGE)
    outcomes.setdefault(500, SERVER_ERROR)
    return dict(sorted(outcomes.items()))


class _Schemas:
    """Every body model once, named as pydantic names it, under ``components/schemas``."""

    def __init__(self, api: Api) -> None:
        wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = []
        for operation in api.operations:
            if operation.request_model is not None:
                wanted.append((operation.request_model, "validation"))
            for outcome in _outcomes(api, operation).values():
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


def _operation(
    api: Api, operation: Operation, schemas: _Schemas, operation_id: str
) -> dict[str, Any]:
    described: dict[str, Any] = {
        "tags": [operation.tag],
        "summary": operation.summary,
        "operationId": operation_id,
    }
    if api.security_of is not None:
        described["security"] = api.security_of(operation)
    parameters = _path_parameters(operation.path) + _query_parameters(operation.query_model)
    if parameters:
        described["parameters"] = parameters
    if operation.request_model is not None:
        described["requestBody"] = {
            "required": True,
            "content": {_JSON: {"schema": schemas.ref(operation.request_model, "validation")}},
        }
    described["responses"] = {
        str(status): _response(outcome, schemas, status)
        for status, outcome in _outcomes(api, operation).items()
    }
    return described


def _unique_ids(operations: Iterable[Operation]) -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for operation in operations:
        base = _operation_id(operation.summary)
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}{seen[base]}")
    return ids


def build_document(api: Api = ADMIN_API) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `api` (paths in full, as clients write them)."""
    schemas = _Schemas(api)
    paths: dict[str, dict[str, Any]] = {}
    operations = api.operations
    for operation, operation_id in zip(operations, _unique_ids(operations), strict=True):
        item = paths.setdefault(operation.full_path, {})
        item[operation.method.lower()] = _operation(api, operation, schemas, operation_id)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": api.title,
            "version": __version__,
            "description": api.description,
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "tags": [{"name": tag} for tag in dict.fromkeys(o.tag for o in operations)],
        "security": [{api.security_name: []}, *({name: []} for name in api.other_schemes)],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas.components,
            "securitySchemes": {api.security_name: api.security_scheme, **api.other_schemes},
        },
    }


def document_json(api: Api = ADMIN_API) -> str:
    """The document as committed in ``docs/`` (stable formatting)."""
    return json.dumps(build_document(api), indent=2, ensure_ascii=False) + "\n"


APIS = {"admin": ADMIN_API, "authn": AUTHN_API}

if __name__ == "__main__":
    sys.stdout.write(document_json(APIS[sys.argv[1] if len(sys.argv) > 1 else "admin"]))
