"""POST /oauth/token and its metadata, as the contract and RFC 6749/7523/8414 say: every
error, on SQLite (what the database keeps is tested in test_token_storage.py)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from mfadesk.domain.admins import Role
from mfadesk.domain.audit import Action, Result
from mfadesk.domain.oauth_clients import KNOWN_SCOPES, Scope
from mfadesk.services.oauth_clients import create_oauth_client
from mfadesk.services.provisioning import Operator, resolve_company
from tests.conftest import Stack
from tests.support.oauth import ClientKey, add_client, request_token


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def client(stack: Stack) -> ClientKey:
    return add_client(stack, scopes=(Scope.USER_READ, Scope.USER_MANAGE))


def post_form(stack: Stack, body: str) -> httpx.Response:
    """A form body as written (`+` for a space, repeated names...)."""
    return httpx.post(
        f"{stack.server.base_url}/oauth/token",
        content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def assert_error(response: httpx.Response, status: int, error: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"error", "error_description"} and body["error"] == error
    return str(body["error_description"])


def test_a_token_for_the_registered_scopes_or_the_requested_ones(
    stack: Stack, client: ClientKey
) -> None:
    response = request_token(stack, client)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == "rsa.user.read rsa.user.manage"
    assert "." not in body["access_token"] and len(body["access_token"]) >= 43
    # `+` is the form encoding of a space (what requests and pydplus send)
    form = urlencode(client.form(scope="rsa.user.read rsa.user.manage"))
    assert "scope=rsa.user.read+rsa.user.manage" in form
    raw = post_form(stack, form)
    assert raw.json()["scope"] == "rsa.user.read rsa.user.manage"
    assert request_token(stack, client, scope="rsa.user.read").json()["scope"] == "rsa.user.read"


def test_the_audience_may_be_the_issuer_and_loopback_names_are_one_host(
    stack: Stack, client: ClientKey
) -> None:
    issuer = client.issuer.replace("127.0.0.1", "localhost") + "/"
    for audience in (client.issuer, issuer, [client.token_url, "https://other.example"]):
        assertion = client.assertion(aud=audience)
        assert request_token(stack, client, client_assertion=assertion).status_code == 200


@pytest.mark.parametrize(
    ("form", "fragment"),
    [
        ({"grant_type": None}, "grant_type is missing"),
        ({"grant_type": ""}, "grant_type is missing"),  # empty = omitted (RFC 6749 §3.1)
    ],
)
def test_invalid_request(
    stack: Stack, client: ClientKey, form: dict[str, Any], fragment: str
) -> None:
    description = assert_error(request_token(stack, client, **form), 400, "invalid_request")
    assert fragment in description


def test_invalid_request_for_a_repeated_parameter_or_a_body_that_is_not_a_form(
    stack: Stack, client: ClientKey
) -> None:
    pairs = [*client.form().items(), ("scope", "rsa.user.read"), ("scope", "rsa.user.manage")]
    repeated = assert_error(post_form(stack, urlencode(pairs)), 400, "invalid_request")
    assert repeated == "The parameter scope is given more than once."
    as_json = httpx.post(f"{stack.server.base_url}/oauth/token", json=client.form())
    assert "x-www-form-urlencoded" in assert_error(as_json, 400, "invalid_request")
    latin1 = httpx.post(
        f"{stack.server.base_url}/oauth/token",
        content=b"grant_type=client_credentials&client_id=%E9",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_error(latin1, 400, "invalid_request")


def test_unsupported_grant_type(stack: Stack, client: ClientKey) -> None:
    for grant in ("password", "urn:ietf:params:oauth:grant-type:jwt-bearer"):
        response = request_token(stack, client, grant_type=grant)
        assert "client_credentials" in assert_error(response, 400, "unsupported_grant_type")


def _other_ec_key() -> Any:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.mark.parametrize(
    ("case", "overrides"),
    [
        ("no assertion", {"client_assertion": None}),
        ("no assertion type", {"client_assertion_type": None}),
        ("another assertion type", {"client_assertion_type": "urn:example:saml2-bearer"}),
        ("not a JWT", {"client_assertion": "not-a-jwt"}),
    ],
)
def test_invalid_client_without_a_usable_assertion(
    stack: Stack, client: ClientKey, case: str, overrides: dict[str, Any]
) -> None:
    assert_error(request_token(stack, client, **overrides), 401, "invalid_client")


@pytest.mark.parametrize(
    ("case", "claims", "fragment"),
    [
        ("signed by another key", {"key": _other_ec_key()}, "signature"),
        ("HS256", {"key": "a-shared-secret-of-32-bytes-long", "algorithm": "HS256"}, "ES256"),
        ("another kid", {"headers": {"kid": "another-key"}}, "kid"),
        ("expired", {"now": 0}, "expired"),
        ("issued in the future", {"iat": 4_000_000_000, "exp": 4_000_000_100}, "future"),
        ("longer than an hour", {"exp": 4_000_000_000}, "one hour"),
        ("wrong audience", {"aud": "https://elsewhere.example/oauth/token"}, "aud"),
        ("admin API as audience", {"aud": "http://127.0.0.1/AdminInterface/restapi"}, "aud"),
        ("no jti", {"jti": None}, "jti"),
        ("jti not a string", {"jti": 7}, "JWT ID"),
        ("iss is another", {"iss": str(uuid.uuid4())}, "iss"),
        ("no exp", {"exp": None}, "exp"),
        ("nbf ahead", {"nbf": 4_000_000_000}, "nbf"),
    ],
)
def test_invalid_client_for_a_bad_assertion(
    stack: Stack, client: ClientKey, case: str, claims: dict[str, Any], fragment: str
) -> None:
    assertion = client.assertion(**claims)
    response = request_token(stack, client, client_assertion=assertion)
    assert fragment in assert_error(response, 401, "invalid_client")


def test_invalid_client_for_an_unknown_client(stack: Stack, client: ClientKey) -> None:
    stranger = ClientKey(str(uuid.uuid4()), client.private_jwk, client.issuer, "stranger")
    response = request_token(stack, stranger)
    assert assert_error(response, 401, "invalid_client") == "The client is unknown or revoked."


def test_a_refused_assertion_is_audited_naming_the_client(stack: Stack, client: ClientKey) -> None:
    request_token(stack, client, client_assertion=client.assertion(key=_other_ec_key()))
    event = stack.audit_events()[-1].event
    assert (event.action, event.result) == (Action.ISSUE_OAUTH_TOKEN, Result.DENIED)
    assert event.admin_email == client.name and event.company_id == stack.tenant.company_id
    assert event.message.startswith("invalid_client: The client assertion's signature")
    assert client.assertion() not in event.message


def test_invalid_scope(stack: Stack, client: ClientKey) -> None:
    not_registered = request_token(stack, client, scope="rsa.user.read rsa.audit.admin")
    assert "rsa.audit.admin" in assert_error(not_registered, 400, "invalid_scope")
    unknown = request_token(stack, client, scope="rsa.user.read rsa.nothing")
    assert "rsa.nothing" in assert_error(unknown, 400, "invalid_scope")


def test_invalid_grant_when_client_id_names_another_client(stack: Stack, client: ClientKey) -> None:
    other = add_client(stack, "other")
    response = request_token(stack, client, client_id=other.client_id)
    assert_error(response, 400, "invalid_grant")
    # without client_id the assertion alone names the client (RFC 7521 §4.2)
    assert request_token(stack, client, client_id=None).status_code == 200


def test_refused_client_authentications_are_rate_limited_per_address(
    make_stack: Any,
) -> None:
    stack = make_stack(auth_failure_burst=2, auth_failure_per_second=0.01)
    client = add_client(stack)
    bad = client.assertion(key=_other_ec_key())
    for _ in range(2):
        assert request_token(stack, client, client_assertion=bad).status_code == 401
    limited = request_token(stack, client, client_assertion=bad)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"] == "temporarily_unavailable"
    # a client whose assertion is good is never held back by its neighbours' failures
    assert request_token(stack, client).status_code == 200


def test_an_rsa_client_signs_with_rs256(stack: Stack) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    op = Operator.start(stack.env)
    with stack.db.unit_of_work() as uow:
        company = resolve_company(uow, None)
        registered = create_oauth_client(
            uow,
            op,
            company,
            "rsa",
            Role.SUPER_ADMIN,
            frozenset(KNOWN_SCOPES),
            json.dumps(public),
            None,
        )
    private = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    rsa_client = ClientKey(
        registered.id, {**private, "kid": "any"}, f"{stack.settings.public_url}/oauth", "rsa"
    )
    signed = rsa_client.assertion(key=key, algorithm="RS256")
    assert request_token(stack, rsa_client, client_assertion=signed).status_code == 200
    es256 = rsa_client.assertion(key=_other_ec_key(), algorithm="ES256")
    assert_error(request_token(stack, rsa_client, client_assertion=es256), 401, "invalid_client")


def test_metadata_at_both_places(stack: Stack) -> None:
    base = stack.server.base_url
    issuer = f"{stack.settings.public_url}/oauth"
    documents = [
        httpx.get(f"{base}/oauth/.well-known/oauth-authorization-server"),
        httpx.get(f"{base}/.well-known/oauth-authorization-server/oauth"),
    ]
    for response in documents:
        assert response.status_code == 200
        body = response.json()
        assert body["issuer"] == issuer and body["token_endpoint"] == issuer + "/token"
        assert body["grant_types_supported"] == ["client_credentials"]
        assert body["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
        assert body["token_endpoint_auth_signing_alg_values_supported"] == ["RS256", "ES256"]
        assert set(body["scopes_supported"]) == set(KNOWN_SCOPES)


def test_a_replay_within_the_skew_after_expiry_is_still_refused(
    stack: Stack, client: ClientKey
) -> None:
    """A jti is kept until the assertion could not be accepted anyway (exp + 60 s skew)."""
    assertion = client.assertion(
        now=int(stack.clock.timestamp()), exp=int(stack.clock.timestamp()) + 30
    )
    assert request_token(stack, client, client_assertion=assertion).status_code == 200
    stack.clock.advance(timedelta(seconds=80))  # past exp, within the skew
    again = request_token(stack, client, client_assertion=assertion)
    assert "used before" in assert_error(again, 401, "invalid_client")
