"""Scopes on the admin API: each endpoint needs its own, the role applies on top, and an
API-key JWT (no scopes) is judged by its role alone, except where only OAuth is accepted."""

from __future__ import annotations

import re
import uuid

import pytest

from mfadesk.api.routes import ENDPOINTS
from mfadesk.domain.admins import Role
from mfadesk.domain.audit import Action, Result
from mfadesk.domain.oauth_clients import KNOWN_SCOPES
from tests.conftest import Stack
from tests.support.oauth import access_token, add_client, bearer_client
from tests.support.tenant import CREDENTIAL_DAVE, TOKEN_ALICE


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


def lacks(scope: str) -> str:
    return f"The access token does not carry the scope {scope}."


# Read off the contract's scope list by hand (oauth-reference.md, "Calling the admin API"):
# the server's own table must agree with it.
CONTRACT_SAMPLE = [
    ("POST", "/v1/users/lookup", "rsa.user.read"),
    ("POST", "/v2/users/search", "rsa.user.read"),
    ("GET", "/v2/users/{userId}/devices", "rsa.user.read"),
    ("PUT", "/v1/users/{userId}/userStatus", "rsa.user.manage"),
    ("POST", "/v1/users/{userId}/sync", "rsa.user.sync"),
    ("PUT", "/v1/users/{userId}/markDeleted", "rsa.user.delete.soft"),
    ("DELETE", "/v1/users/{userId}", "rsa.user.delete"),
    ("POST", "/v1/users/create", "rsa.group.users.manage"),
    ("PUT", "/v1/users/{userId}/emergencyTokencode", "rsa.authenticator.emergency.manage"),
    (
        "DELETE",
        "/v1/users/{userId}/emergencyTokencode/{eacId}",
        "rsa.authenticator.emergency.manage",
    ),
    ("POST", "/v1/sidTokens/lookup", "rsa.authenticator.sidtoken.read"),
    ("PATCH", "/v1/users/{userId}/sidTokens/assign", "rsa.authenticator.sidtoken.manage"),
    ("PATCH", "/v2/users/{userId}/sidTokens/clearPin", "rsa.authenticator.sidtoken.manage"),
    ("DELETE", "/v1/sidTokens/delete", "rsa.authenticator.sidtoken.delete"),
    ("POST", "/v1/ds100/lookup", "rsa.authenticator.ds100.read"),
    ("PATCH", "/v1/ds100/disable/otp", "rsa.authenticator.ds100.manage"),
    ("DELETE", "/v1/ds100/delete/otp", "rsa.authenticator.ds100.delete"),
    ("GET", "/v1/adminlog/exportlogs", "rsa.audit.admin"),
    ("GET", "/v1/usereventlog/exportlogs", "rsa.audit.user"),
]


def test_the_contract_sample_matches_the_declarations() -> None:
    declared = {(e.method, e.path): e.scope for e in ENDPOINTS}
    assert {(m, p): declared[(m, p)] for m, p, _ in CONTRACT_SAMPLE} == {
        (m, p): s for m, p, s in CONTRACT_SAMPLE
    }


def test_every_endpoint_refuses_a_token_without_its_scope(stack: Stack) -> None:
    """One token per scope, holding every scope but that one."""
    tokens = {
        scope: access_token(
            stack, add_client(stack, f"without {scope}", scopes=set(KNOWN_SCOPES) - {scope})
        )
        for scope in {e.scope for e in ENDPOINTS}
    }
    for endpoint in ENDPOINTS:
        with bearer_client(stack, tokens[endpoint.scope]) as api:
            response = api.request(
                endpoint.method, stack.server.base_url + concrete(endpoint.full_path), json={}
            )
        assert response.status_code == 403, endpoint.path
        assert response.json() == {"code": "403 FORBIDDEN", "description": lacks(endpoint.scope)}
    refusals = [e.event for e in stack.audit_events() if e.event.action is Action.AUTHORIZE]
    assert len(refusals) == len(ENDPOINTS)
    assert all(e.result is Result.DENIED and e.admin_role == "Super Admin" for e in refusals)
    assert refusals[0].admin_email == "without rsa.user.read"
    assert refusals[0].company_id == stack.tenant.company_id


@pytest.mark.parametrize(("method", "path", "scope"), CONTRACT_SAMPLE)
def test_the_contract_scope_alone_is_enough(
    stack: Stack, method: str, path: str, scope: str
) -> None:
    """A token carrying only the contract's scope gets past the scope check (whatever the
    request's fate after it: 400, 404…)."""
    token = access_token(stack, add_client(stack, scopes=(scope,)))
    with bearer_client(stack, token) as api:
        response = api.request(
            method, stack.server.base_url + "/AdminInterface/restapi" + concrete(path), json={}
        )
    assert response.json().get("description") != lacks(scope)
    assert response.status_code != 403 or "role" in response.json()["description"]


def test_the_role_still_applies_on_top_of_the_scopes(stack: Stack) -> None:
    helpdesk = add_client(stack, "helpdesk", role=Role.HELP_DESK_ADMIN)
    with bearer_client(stack, access_token(stack, helpdesk)) as api:
        refused = api.request(
            "DELETE", "v1/sidTokens/delete", json={"tokenSerialNumber": TOKEN_ALICE}
        )
        allowed = api.post("v1/sidTokens/lookup", json={"tokenSerialNumber": TOKEN_ALICE})
    assert refused.status_code == 403
    assert refused.json()["description"] == (
        "The Help Desk Admin role is not allowed to delete hardware tokens."
    )
    assert allowed.status_code == 200
    event = stack.audit_events()[-1].event
    assert (event.action, event.result) == (Action.DELETE_HARDWARE_TOKEN, Result.DENIED)
    assert (event.admin_email, event.admin_role) == ("helpdesk", "Help Desk Admin")


def test_an_oauth_client_is_named_where_changes_record_who(stack: Stack) -> None:
    client = add_client(stack, "provisioning-bot")
    with bearer_client(stack, access_token(stack, client)) as api:
        alice = stack.tenant.user("alice")
        disabled = api.patch(
            f"v1/users/{alice}/sidTokens/disable", json={"tokenSerialNumber": TOKEN_ALICE}
        )
        looked_up = api.post("v1/ds100/lookup", json={"deviceSerialNumber": CREDENTIAL_DAVE[1:10]})
    assert disabled.json()["tokenStatusChangedBy"] == "provisioning-bot"
    assert looked_up.status_code == 200


def test_an_api_key_jwt_is_judged_by_its_role_and_refused_where_only_oauth_is_taken(
    stack: Stack,
) -> None:
    with stack.client("helpdesk") as legacy:
        lookup = legacy.post("v1/users/lookup", json={"email": "alice@acme.example"})
        create = legacy.post(
            "v1/users/create",
            json={"firstName": "F", "userName": "f", "email": "f@acme.example"},
        )
    assert lookup.status_code == 200
    assert create.status_code == 403
    assert create.json() == {
        "code": "403 FORBIDDEN",
        "description": "This endpoint accepts only OAuth access tokens, not API-key JWTs.",
    }
    event = stack.audit_events()[-1].event
    assert (event.action, event.result, event.admin_email) == (
        Action.AUTHORIZE,
        Result.DENIED,
        "helpdesk@acme.example",
    )


def test_an_unknown_access_token_is_refused_in_the_filter_format(stack: Stack) -> None:
    with bearer_client(stack, "A" * 43) as api:
        response = api.post("v1/users/lookup", json={"email": "alice@acme.example"})
    assert response.status_code == 403 and response.json()["message"] == (
        "Server failed to process provided access token"
    )
    event = stack.audit_events()[-1].event
    assert (event.action, event.message, event.company_id) == (
        Action.AUTHENTICATE,
        "unknown access token",
        None,
    )


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"userName": "g", "email": "g@acme.example"}, "firstName: Field required"),
        ({"firstName": "G", "email": "g@acme.example"}, "userName: Field required"),
        ({"firstName": "G", "userName": "g"}, "email: Field required"),
        (
            {"firstName": "G", "userName": "alice@acme.example", "email": "g@acme.example"},
            "User name alice@acme.example is already taken",
        ),
        (
            {"firstName": "G", "userName": "g", "email": "nobody"},
            "email: String should match pattern '^[^\\x00]*@[^\\x00]*$'",
        ),
    ],
)
def test_create_local_user_refusals(stack: Stack, body: dict[str, str], description: str) -> None:
    token = access_token(stack, add_client(stack, scopes=("rsa.group.users.manage",)))
    with bearer_client(stack, token) as api:
        response = api.post("v1/users/create", json={"password": "ignored", **body})
    assert response.status_code == 400
    assert response.json() == {"code": "400 BAD_REQUEST", "description": description}
