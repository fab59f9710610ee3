"""The client-key header of the authentication API: 401 for missing/unknown/revoked keys, 400
for malformed requests (only once the key is known), a bare 500 for the unexpected."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from mfadesk.services.authn_keys import revoke_authn_key
from mfadesk.services.provisioning import Operator, ensure_company
from tests.conftest import Stack, StackFactory
from tests.support.authn import AUTHN, Agent, add_client_key, email, logged_events
from tests.support.failing_random import SwitchableRandom
from tests.support.wire import assert_error

INITIALIZE_BODY = {"subjectName": "alice@acme.example", "context": {"messageId": "m-1"}}
CALLS: list[tuple[str, str, Any]] = [
    ("POST", "/initialize", INITIALIZE_BODY),
    (
        "POST",
        "/verify",
        {"subjectCredentials": [], "context": {"authnAttemptId": "a", "messageId": "m"}},
    ),
    ("POST", "/status", {"authnAttemptId": "a"}),
    ("POST", "/cancel", {"authnAttemptId": "a"}),
    ("POST", "/offlineData", {"offlineDataTicket": "t"}),
    ("GET", "/resources?lang=en_US", None),
]


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"timestamp", "status", "error", "message", "path"}
    assert isinstance(body["timestamp"], int) and body["timestamp"] > 1_600_000_000_000
    assert (body["status"], body["error"]) == (401, "Unauthorized")
    assert body["message"] == "Missing or invalid client-key"
    assert body["path"] == response.request.url.path


def call(
    stack: Stack, method: str, path: str, body: Any, headers: dict[str, str]
) -> httpx.Response:
    url = stack.server.base_url + AUTHN + path
    return httpx.request(method, url, json=body, headers=headers, timeout=30)


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
def test_missing_unknown_or_empty_key_is_401(
    stack: Stack, method: str, path: str, body: Any
) -> None:
    add_client_key(stack)
    for headers in ({}, {"client-key": ""}, {"client-key": "not-a-key"}):
        assert_unauthorized(call(stack, method, path, body, headers))


def test_two_client_keys_are_401(stack: Stack) -> None:
    """A proxy in front may have judged another header than we would."""
    key = add_client_key(stack)
    status = stack.server.base_url + AUTHN + "/status"
    for pair in ([key, "not-a-key"], ["not-a-key", key], [key, key]):
        headers = [("client-key", value) for value in pair]
        assert_unauthorized(httpx.post(status, json={"authnAttemptId": "a"}, headers=headers))


def test_revoked_key_is_refused_at_once(stack: Stack) -> None:
    key = add_client_key(stack, "radius")
    headers = {"client-key": key}
    assert call(stack, "POST", "/initialize", INITIALIZE_BODY, headers).status_code == 200
    with stack.db.unit_of_work() as uow:
        op = Operator.start(stack.env)
        revoke_authn_key(uow, op, ensure_company(uow, op, "Acme"), "radius")
    assert_unauthorized(call(stack, "POST", "/initialize", INITIALIZE_BODY, headers))


def test_malformed_request_with_unknown_key_is_401_not_400(stack: Stack) -> None:
    response = httpx.post(
        stack.server.base_url + AUTHN + "/initialize",
        content=b"{not json",
        headers={"client-key": "unknown"},
    )
    assert_unauthorized(response)


@pytest.mark.parametrize(
    ("path", "body", "description"),
    [
        ("/initialize", b"{not json", "Malformed JSON request body."),
        ("/initialize", b"[]", "Malformed JSON request body."),
        ("/initialize", b"", "Malformed JSON request body."),
        ("/initialize", b'{"context": {"messageId": "m"}}', "subjectName: Field required"),
        ("/initialize", b'{"subjectName": "a@b.c"}', "context: Field required"),
        (
            "/initialize",
            b'{"subjectName": "a@b.c", "context": {"messageId": ""}}',
            "context.messageId: String should have at least 1 character",
        ),
        (
            "/initialize",
            b'{"subjectName": 7, "context": {"messageId": "m"}}',
            "subjectName: Input should be a valid string",
        ),
        (
            "/initialize",
            b'{"subjectName": "a@b.c", "authnAttemptTimeout": "soon",'
            b' "context": {"messageId": "m"}}',
            "authnAttemptTimeout: Input should be a number of seconds",
        ),
        (
            "/initialize",
            b'{"subjectName": "a@b.c", "authnAttemptTimeout": true, "context": {"messageId": "m"}}',
            "authnAttemptTimeout: Input should be a number of seconds",
        ),
        (
            "/initialize",
            b'{"subjectName": "a@b.c", "authnAttemptTimeout": {}, "context": {"messageId": "m"}}',
            "authnAttemptTimeout: Input should be a number of seconds",
        ),
        (
            "/initialize",
            b'{"subjectName": "a@b.c", "subjectCredentials": [{"methodId": "SECURID"}],'
            b' "context": {"messageId": "m"}}',
            "subjectCredentials.0.collectedInputs: Field required",
        ),
        (
            "/verify",
            b'{"subjectCredentials": [], "context": {"messageId": "m"}}',
            "context.authnAttemptId: Field required",
        ),
        (
            "/verify",
            b'{"context": {"authnAttemptId": "a", "messageId": "m"}}',
            "subjectCredentials: Field required",
        ),
        ("/status", b"{}", "authnAttemptId: Field required"),
        (
            "/cancel",
            b'{"authnAttemptId": "a", "reason": "BORED"}',
            "reason: Input should be 'USER_ACTION' or 'TIME_OUT'",
        ),
        ("/offlineData", b"{}", "offlineDataTicket: Field required"),
    ],
)
def test_malformed_requests_are_400_and_record_nothing(
    stack: Stack, path: str, body: bytes, description: str
) -> None:
    key = add_client_key(stack)
    response = httpx.post(
        stack.server.base_url + AUTHN + path, content=body, headers={"client-key": key}
    )
    assert_error(response, 400, "BAD_REQUEST", description)
    assert logged_events(stack) == []


def test_resources_give_prompt_texts(stack: Stack) -> None:
    agent = Agent(stack, add_client_key(stack))
    everything = agent.client.get("/resources", params={"lang": "en_US"})
    assert everything.status_code == 200
    names = {pair["name"] for pair in everything.json()}
    assert names == {
        "SecurID.Resource.Prompt.Passcode",
        "SecurID.Resource.Prompt.Next.Tokencode",
        "SecurID.Resource.Prompt.Emergency.Tokencode",
        "SecurID.Resource.Prompt.New.PIN.Numeric",
        "SecurID.Resource.Prompt.New.PIN.Alphanumeric",
        "SecurID.Resource.Prompt.New.PIN.Rejected.Numeric",
        "SecurID.Resource.Prompt.New.PIN.Rejected.Alphanumeric",
        "SecurID.Resource.Prompt.New.PIN.Accepted",
    }
    one = agent.client.get(
        "/resources", params={"lang": "fr_FR", "resourceId": "SecurID.Resource.Prompt.Passcode"}
    )
    assert one.json() == [
        {
            "name": "SecurID.Resource.Prompt.Passcode",
            "value": "Enter your SecurID passcode:",
            "dataType": "STRING",
        }
    ]
    assert agent.client.get("/resources", params={"resourceId": "nope"}).json() == []


def test_unexpected_failure_is_a_bare_500_and_changes_nothing(make_stack: StackFactory) -> None:
    random = SwitchableRandom()
    stack = make_stack(random=random)
    agent = Agent(stack, add_client_key(stack))
    random.failing = True
    response = agent.post(
        "/initialize", {"subjectName": email("alice"), "context": {"messageId": str(uuid.uuid4())}}
    )
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
    random.failing = False
    assert logged_events(stack) == []


def test_every_endpoint_answers_a_bare_500_when_the_database_fails(stack: Stack) -> None:
    headers = {"client-key": add_client_key(stack)}
    with stack.db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE authn_keys RENAME TO authn_keys_away"))
    try:
        for method, path, body in CALLS:
            response = call(stack, method, path, body, headers)
            assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
        malformed = httpx.post(
            stack.server.base_url + AUTHN + "/initialize", content=b"{", headers=headers
        )
        assert_error(malformed, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
    finally:
        with stack.db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE authn_keys_away RENAME TO authn_keys"))
