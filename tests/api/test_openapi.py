"""The OpenAPI document: generated from the declarations, valid, committed, served, and true."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from starlette.routing import Route

from mfadesk.api.app import create_app
from mfadesk.api.authn import AUTHN_ENDPOINTS
from mfadesk.api.openapi import AUTHN_API, build_document, document_json
from mfadesk.api.routes import ENDPOINTS
from mfadesk.domain.oauth_clients import KNOWN_SCOPES
from tests.conftest import Stack, StackFactory
from tests.support.openapi import CONFORMANCE, Conformance
from tests.support.tenant import TOKEN_ALICE
from tests.support.wire import assert_auth_failure

SNAPSHOT = Path(__file__).parents[2] / "docs" / "openapi.json"
AUTHN_SNAPSHOT = SNAPSHOT.with_name("openapi-authn.json")
REGENERATE = "python -m mfadesk.api.openapi > docs/openapi.json"
REGENERATE_AUTHN = "python -m mfadesk.api.openapi authn > docs/openapi-authn.json"
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


@pytest.fixture(scope="module")
def authn_document() -> dict[str, Any]:
    return build_document(AUTHN_API)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_the_documents_are_valid_openapi_3_1(
    document: dict[str, Any], authn_document: dict[str, Any]
) -> None:
    for checked in (document, authn_document):
        assert checked["openapi"] == "3.1.0"
        validate(checked)


def test_the_committed_snapshots_are_current() -> None:
    assert SNAPSHOT.read_text() == document_json(), f"docs/openapi.json is stale: {REGENERATE}"
    assert AUTHN_SNAPSHOT.read_text() == document_json(AUTHN_API), (
        f"docs/openapi-authn.json is stale: {REGENERATE_AUTHN}"
    )


@pytest.mark.parametrize("argv", [[], ["authn"]])
def test_the_regeneration_commands_print_the_documents(argv: list[str]) -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "mfadesk.api.openapi", *argv],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert printed == (document_json(AUTHN_API) if argv else document_json())


def test_every_declaration_is_one_operation_and_nothing_else(document: dict[str, Any]) -> None:
    declared = sorted((e.full_path, e.method.lower()) for e in ENDPOINTS)
    documented = sorted((path, method) for path, method, _ in operations(document))
    assert documented == declared
    assert all(path.startswith("/AdminInterface/restapi/") for path, _ in documented)
    operation_ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(set(operation_ids)) == len(operation_ids)


def test_every_declaration_is_routed_with_its_method(make_stack: StackFactory) -> None:
    stack = make_stack()
    app = create_app(stack.settings, stack.env)
    app.state.mfadesk.db.close()  # only its routes are looked at
    routes = {
        (route.path, method)
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods or ()
    }
    for endpoint in ENDPOINTS:
        assert (endpoint.full_path, endpoint.method) in routes, endpoint.summary
        # And over HTTP: the route answers the method, behind the JWT check.
        url = stack.server.base_url + re.sub(r"{\w+}", str(uuid.uuid4()), endpoint.full_path)
        assert_auth_failure(httpx.request(endpoint.method, url))


def test_parameters_bodies_and_statuses_follow_the_declarations(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    for endpoint in ENDPOINTS:
        operation = document["paths"][endpoint.full_path][endpoint.method.lower()]
        parameters = operation.get("parameters", [])
        path_names = [p["name"] for p in parameters if p["in"] == "path"]
        assert path_names == re.findall(r"{(\w+)}", endpoint.path)
        query_names = [p["name"] for p in parameters if p["in"] == "query"]
        expected_query = (
            [] if endpoint.query_model is None else list(endpoint.query_model.model_fields)
        )
        assert sorted(query_names) == sorted(expected_query)
        if endpoint.request_model is None:
            assert "requestBody" not in operation
        else:
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == f"#/components/schemas/{endpoint.request_model.__name__}"
        responses = operation["responses"]
        assert set(endpoint.outcomes) <= {int(status) for status in responses}
        for status, outcome in endpoint.outcomes.items():
            assert responses[str(status)]["description"] == outcome.description
            content = responses[str(status)].get("content")
            if not outcome.models:
                assert content is None
                continue
            schema = content["application/json"]["schema"]
            refs = [s["$ref"] for s in schema.get("oneOf", [schema])]
            names = [ref.rsplit("/", 1)[1] for ref in refs]
            assert set(names) >= {m.__name__ for m in outcome.models}
            assert all(name in schemas for name in names)


def test_every_operation_documents_what_the_pipeline_answers(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        responses = operation["responses"]
        forbidden = responses["403"]["content"]["application/json"]["schema"]
        forms = [s["$ref"] for s in forbidden.get("oneOf", [forbidden])]
        assert "#/components/schemas/AuthErrorBody" in forms, (method, path)
        assert "Retry-After" in responses["429"]["headers"], (method, path)
        for status in ("413", "431", "500"):
            body = responses[status]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
    assert document["security"] == [{"adminJwt": []}, {"oauth2": []}]
    assert document["components"]["securitySchemes"]["adminJwt"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "RS256 JWT signed with the administrator's API key.",
    }


def test_both_security_schemes_and_each_operations_scope(document: dict[str, Any]) -> None:
    oauth2 = document["components"]["securitySchemes"]["oauth2"]
    flow = oauth2["flows"]["clientCredentials"]
    assert oauth2["type"] == "oauth2" and flow["tokenUrl"] == "/oauth/token"
    assert set(flow["scopes"]) == set(KNOWN_SCOPES)
    for endpoint in ENDPOINTS:
        operation = document["paths"][endpoint.full_path][endpoint.method.lower()]
        jwt = [] if endpoint.oauth_only else [{"adminJwt": []}]
        assert operation["security"] == [*jwt, {"oauth2": [endpoint.scope]}]
    paths = document["paths"]
    assert paths["/AdminInterface/restapi/v1/users/create"]["post"]["security"] == [
        {"oauth2": ["rsa.group.users.manage"]}
    ]
    assert paths["/AdminInterface/restapi/v1/sidTokens/delete"]["delete"]["security"] == [
        {"adminJwt": []},
        {"oauth2": ["rsa.authenticator.sidtoken.delete"]},
    ]


def test_the_403_has_both_forms(document: dict[str, Any]) -> None:
    export = document["paths"]["/AdminInterface/restapi/v1/adminlog/exportlogs"]["get"]
    assert export["responses"]["403"]["content"]["application/json"]["schema"] == {
        "oneOf": [
            {"$ref": "#/components/schemas/AuthErrorBody"},
            {"$ref": "#/components/schemas/ErrorBody"},
        ]
    }
    assert [
        (p["name"], p["in"], p["required"], p["schema"]["type"]) for p in export["parameters"]
    ] == [
        ("startTimeAfter", "query", True, "string"),
        ("endTimeOnOrBefore", "query", True, "string"),
        ("pageNumber", "query", False, "integer"),
        ("pageSize", "query", False, "integer"),
    ]
    page_size = export["parameters"][3]["schema"]
    assert (page_size["minimum"], page_size["maximum"], page_size["default"]) == (1, 100, 100)


def reply(method: str, path: str, status: int, body: Any) -> httpx.Response:
    request = httpx.Request(method, f"http://127.0.0.1{path}")
    return httpx.Response(status, json=body, request=request)


def test_the_conformance_check_catches_drift(document: dict[str, Any]) -> None:
    check = Conformance(document).check
    path = f"/AdminInterface/restapi/v1/users/{uuid.uuid4()}/sidTokens/disable"
    good = {
        "userId": str(uuid.uuid4()),
        "tokenSerialNumber": TOKEN_ALICE,
        "tokenStatus": "Disabled",
        "tokenStatusChangedBy": "super@acme.example",
        "tokenStatusChangedAt": "2026-11-22T07:10:00.000Z",
    }
    check(reply("PATCH", path, 200, good))
    check(reply("PATCH", path, 403, {"code": "403 FORBIDDEN", "description": "no"}))
    check(reply("GET", "/AdminInterface/restapi/v1/unknown", 404, {}))  # not documented: skipped
    with pytest.raises(AssertionError, match="not documented"):
        check(reply("PATCH", path, 418, {}))
    with pytest.raises(AssertionError, match="does not match"):
        check(reply("PATCH", path, 200, {**good, "tokenStatus": "Lost"}))
    with pytest.raises(AssertionError, match="does not match"):
        check(reply("PATCH", path, 200, {**good, "surprise": 1}))
    with pytest.raises(AssertionError, match="does not match"):
        check(reply("PATCH", path, 403, {"code": "403 FORBIDDEN"}))


def test_real_replies_match_the_document(make_stack: StackFactory) -> None:
    """A few calls checked explicitly (every `stack.client()` call is checked as well)."""
    stack = make_stack(rate_limit_per_second=0.01, rate_limit_burst=3)
    export = f"{stack.admin_base}/v1/adminlog/exportlogs"
    window = {
        "startTimeAfter": "2020-01-01T00:00:00.000Z",
        "endTimeOnOrBefore": "2099-01-01T00:00:00.000+01:00",
    }
    checked = []
    with stack.client("helpdesk") as api:
        checked.append(api.get(export, params=window))  # 403, the role's error body
        checked.append(api.post("v1/users/lookup", json={"email": "alice@acme.example"}))
    with stack.client() as api:
        checked.append(api.get(export, params=window))  # 200
        checked.append(api.get(export, params={"pageSize": 5}))  # 400
        for _ in range(3):
            checked.append(api.get(export, params=window))  # runs into 429
    checked.append(httpx.get(export, params=window))  # 403, the filter's body
    for response in checked:
        CONFORMANCE.check(response)
    assert [r.status_code for r in checked] == [403, 200, 200, 400, 200, 429, 429, 403]
    assert checked[0].json()["code"] == "403 FORBIDDEN"
    assert set(checked[-1].json()) == {"timestamp", "status", "error", "message", "path"}


def test_the_authentication_api_has_its_own_document(authn_document: dict[str, Any]) -> None:
    declared = sorted((e.full_path, e.method.lower()) for e in AUTHN_ENDPOINTS)
    documented = sorted((path, method) for path, method, _ in operations(authn_document))
    assert documented == declared
    assert all(path.startswith("/mfa/v1_1/authn/") for path, _ in documented)
    assert authn_document["security"] == [{"clientKey": []}]
    scheme = authn_document["components"]["securitySchemes"]["clientKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "client-key")
    for path, method, operation in operations(authn_document):
        responses = operation["responses"]
        refused = responses["401"]["content"]["application/json"]["schema"]
        assert refused == {"$ref": "#/components/schemas/AuthErrorBody"}, (method, path)
        assert {"413", "429", "431", "500"} <= set(responses), (method, path)
    resources = authn_document["paths"]["/mfa/v1_1/authn/resources"]["get"]
    assert [p["name"] for p in resources["parameters"]] == ["lang", "resourceId"]


def test_the_documents_are_served_without_authentication(stack: Stack) -> None:
    for url, snapshot in (
        (f"{stack.admin_base}/openapi.json", SNAPSHOT),
        (f"{stack.server.base_url}/mfa/v1_1/openapi.json", AUTHN_SNAPSHOT),
    ):
        response = httpx.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json() == json.loads(snapshot.read_text())


def test_the_docs_page_works_offline(stack: Stack) -> None:
    page_url = httpx.URL(f"{stack.admin_base}/docs")
    page = httpx.get(page_url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    references += re.findall(r'url: "([^"]+)"', page.text)
    assert len(references) == 6  # icon, style sheet, two scripts, two documents
    for reference in references:
        assert "//" not in reference, f"{reference} would need the internet"
        asset = httpx.get(page_url.join(reference))
        assert asset.status_code == 200, reference
    script = httpx.get(page_url.join("docs/static/swagger-ui-bundle.js"))
    assert "javascript" in script.headers["content-type"]
    assert "SwaggerUIBundle" in script.text
    assert httpx.get(page_url.join("openapi.json")).json()["openapi"] == "3.1.0"
    authn = httpx.get(page_url.join("../../mfa/v1_1/openapi.json")).json()
    assert authn["info"]["title"] == "mfadesk SecurID Authentication API"
    missing = httpx.get(page_url.join("docs/static/nothing.js"))
    assert missing.status_code == 404
