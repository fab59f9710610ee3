"""What the database keeps for OAuth, on SQLite and PostgreSQL: used jtis (a replay is
refused by any worker), issued tokens (revocable at once), clients."""

from __future__ import annotations

from datetime import timedelta

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.oauth_clients import Scope, hash_access_token
from mfadesk.services.oauth_clients import revoke_oauth_client
from mfadesk.services.provisioning import Operator
from mfadesk.store.tables import oauth_access_tokens
from tests.conftest import Stack
from tests.support.oauth import access_token, add_client, bearer_client, request_token


def test_a_replayed_assertion_is_refused_and_only_hashes_are_stored(stack: Stack) -> None:
    client = add_client(stack)
    assertion = client.assertion()
    first = request_token(stack, client, client_assertion=assertion)
    assert first.status_code == 200
    replay = request_token(stack, client, client_assertion=assertion)
    assert replay.status_code == 401 and replay.json()["error"] == "invalid_client"
    assert "used before" in replay.json()["error_description"]
    token = first.json()["access_token"]
    with stack.db.engine.connect() as connection:
        stored = [row.token_hash for row in connection.execute(oauth_access_tokens.select())]
    assert stored == [hash_access_token(token)]
    issued = [e.event for e in stack.audit_events() if e.event.action is Action.ISSUE_OAUTH_TOKEN]
    assert [e.result for e in issued] == [Result.SUCCESS, Result.DENIED]
    assert all(token not in e.message and assertion not in e.message for e in issued)


def test_revoking_a_client_stops_its_cached_tokens_at_once(stack: Stack) -> None:
    client = add_client(stack)
    token = access_token(stack, client)
    alice = stack.tenant.user("alice")
    with bearer_client(stack, token) as api:
        assert api.get(f"v2/users/{alice}/devices").status_code == 200  # now cached
        with stack.db.unit_of_work() as uow:
            revoke_oauth_client(uow, Operator.start(stack.env), client.client_id)
        refused = api.get(f"v2/users/{alice}/devices")
        assert refused.status_code == 403 and refused.json()["status"] == 403  # filter body
        # a missing scope is not what a revoked client hears either
        assert api.post("v1/users/create", json={}).json()["status"] == 403
    again = request_token(stack, client)
    assert again.status_code == 401 and again.json()["error"] == "invalid_client"
    denied = stack.audit_events()[-1].event
    assert (denied.action, denied.result, denied.admin_email) == (
        Action.ISSUE_OAUTH_TOKEN,
        Result.DENIED,
        client.name,
    )


def test_an_access_token_expires_after_an_hour(stack: Stack) -> None:
    client = add_client(stack, scopes=(Scope.USER_READ,))
    with bearer_client(stack, access_token(stack, client)) as api:
        lookup = {"email": "alice@acme.example"}
        assert api.post("v1/users/lookup", json=lookup).status_code == 200
        stack.clock.advance(timedelta(seconds=3601))
        expired = api.post("v1/users/lookup", json=lookup)
    assert expired.status_code == 403 and expired.json()["error"] == "Forbidden"
    assert stack.audit_events()[-1].event.message == "access token expired"


def test_create_local_user_stores_the_user(stack: Stack) -> None:
    client = add_client(stack, scopes=(Scope.GROUP_USERS_MANAGE, Scope.USER_READ))
    body = {
        "firstName": "Erin",
        "lastName": "Doe",
        "userName": "erin",
        "email": "Erin@Acme.Example",
    }
    with bearer_client(stack, access_token(stack, client)) as api:
        created = api.post("v1/users/create", json=body)
        assert created.status_code == 200, created.text
        found = api.post("v1/users/lookup", json={"email": "erin@acme.example"}).json()
        taken = api.post("v1/users/create", json={**body, "userName": "erin2"})
        name_taken = api.post(
            "v1/users/create", json={**body, "email": "erin3@acme.example", "userName": "ERIN"}
        )
    assert found == created.json() and found["firstName"] == "Erin"
    assert found["userStatus"] == "Enabled" and found["identitySource"] == "local"
    assert found["principalUsername"] == "erin"
    assert taken.status_code == 400
    assert taken.json() == {
        "code": "400 BAD_REQUEST",
        "description": "User Erin@Acme.Example already exists",
    }
    assert name_taken.status_code == 400
    assert name_taken.json()["description"] == "User name ERIN is already taken"
    event = next(
        e.event
        for e in stack.audit_events()
        if e.event.action is Action.CREATE_USER and e.event.admin_email == client.name
    )
    assert event.target.id == found["id"] and event.result is Result.SUCCESS
