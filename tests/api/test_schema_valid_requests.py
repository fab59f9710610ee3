"""Requests generated from the OpenAPI documents (schemathesis): whatever a document calls
valid, the server must not refuse as malformed, nor fail on.

The examples are derandomized (the same ones every run) and few per operation, so the test
stays fast; every reply is also checked against the document (`CONFORMANCE`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from mfadesk.api.authn import AUTHN_ENDPOINTS
from mfadesk.api.openapi import AUTHN_API, Operation, build_document
from mfadesk.api.routes import ENDPOINTS
from tests.conftest import Stack
from tests.support.authn import add_client_key
from tests.support.oauth import access_token, add_client, bearer_client
from tests.support.openapi import CONFORMANCE

ADMIN = schemathesis.openapi.from_dict(build_document())
AUTHN = schemathesis.openapi.from_dict(build_document(AUTHN_API))
EXAMPLES_PER_OPERATION = 8
# The only 400s a valid request may get: they depend on the users there are, not on the request.
STATE_REFUSALS = {"User is disabled."}
TAKEN = re.compile(r"^User (name )?.* (already exists|is already taken)$")  # Create Local User


def send_examples(
    client: httpx.Client,
    schema: Any,
    operations: Sequence[Operation],
    path_values: dict[str, str],
) -> list[str]:
    """Send each operation's generated requests; the replies that break the rule."""
    problems: list[str] = []
    for operation in operations:
        problems += _send(
            client, schema[operation.full_path][operation.method], operation, path_values
        )
    return problems


def _send(
    client: httpx.Client, generated: Any, operation: Operation, path_values: dict[str, str]
) -> list[str]:
    problems: list[str] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=generated.as_strategy())
    def send(case: Any) -> None:
        values = {**(case.path_parameters or {}), **path_values}
        path = operation.full_path.format(**{k: quote(str(v), safe="") for k, v in values.items()})
        body = {"json": case.body} if operation.request_model is not None else {}
        response = client.request(operation.method, path, params=case.query or None, **body)
        described = response.json().get("description") if response.status_code >= 400 else None
        state_refusal = described in STATE_REFUSALS or TAKEN.match(described or "")
        if response.status_code >= 500 or (response.status_code == 400 and not state_refusal):
            problems.append(
                f"{operation.method} {operation.path} query={case.query!r}"
                f" body={body.get('json')!r} -> {response.status_code} {described}"
            )

    send()
    return problems


def test_schema_valid_admin_requests_are_never_refused_as_malformed(stack: Stack) -> None:
    path_values = {"userId": stack.tenant.user("alice")}
    with stack.client() as api:
        api.base_url = httpx.URL(stack.server.base_url)
        problems = send_examples(
            api, ADMIN, [e for e in ENDPOINTS if not e.oauth_only], path_values
        )
    with bearer_client(stack, access_token(stack, add_client(stack))) as api:
        api.base_url = httpx.URL(stack.server.base_url)
        problems += send_examples(api, ADMIN, [e for e in ENDPOINTS if e.oauth_only], path_values)
    assert not problems, "\n".join(problems)


def test_schema_valid_authentication_requests_are_never_refused(stack: Stack) -> None:
    with httpx.Client(
        base_url=stack.server.base_url,
        headers={"client-key": add_client_key(stack)},
        event_hooks={"response": [CONFORMANCE.check]},
    ) as agent:
        problems = send_examples(agent, AUTHN, AUTHN_ENDPOINTS, {})
    assert not problems, "\n".join(problems)
