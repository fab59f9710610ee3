"""What every request body must be, beyond its fields: JSON naming each member once."""

from __future__ import annotations

import uuid

import httpx

from tests.conftest import Stack
from tests.support.authn import AUTHN, add_client_key, credentials
from tests.support.tenant import DEVICE_DAVE, TOKEN_ALICE, TOKEN_SPARE
from tests.support.wire import assert_error


def duplicate(key: str) -> str:
    return f'Duplicate key "{key}" in the JSON request body.'


def test_a_duplicated_key_is_400_and_changes_nothing(stack: Stack) -> None:
    body = f'{{"tokenSerialNumber": "{TOKEN_ALICE}", "tokenSerialNumber": "{TOKEN_SPARE}"}}'
    with stack.client() as api:
        refused = api.request("DELETE", "v1/sidTokens/delete", content=body)
        assert_error(refused, 400, "BAD_REQUEST", duplicate("tokenSerialNumber"))
        for serial in (TOKEN_ALICE, TOKEN_SPARE):
            assert api.post("v1/sidTokens/lookup", json={"tokenSerialNumber": serial}).is_success


def test_duplicates_are_found_at_any_depth_and_in_unknown_fields(stack: Stack) -> None:
    dave = stack.tenant.user("dave")
    bodies = {
        f'{{"deviceSerialNumber": "{DEVICE_DAVE}", "userId": "{dave}", "userId": "{dave}"}}': (
            "userId"
        ),
        f'{{"deviceSerialNumber": "{DEVICE_DAVE}", "userId": "{dave}", '
        '"extra": {"a": 1, "b": [{"c": 1, "c": 2}]}}': "c",
    }
    with stack.client() as api:
        for body, key in bodies.items():
            refused = api.patch("v1/ds100/disable/otp", content=body)
            assert_error(refused, 400, "BAD_REQUEST", duplicate(key))


def test_the_same_key_in_different_objects_is_no_duplicate(stack: Stack) -> None:
    """`name` in each collected input, `methodId` in each credential: every object is its own."""
    headers = {"client-key": add_client_key(stack)}
    body = {
        "subjectName": "alice@acme.example",
        "context": {"messageId": str(uuid.uuid4())},
        "subjectCredentials": credentials("SECURID", "000000") + credentials("SECURID", "1"),
        "sessionAttributes": [{"name": "a", "value": "1"}, {"name": "b", "value": "2"}],
    }
    url = stack.server.base_url + AUTHN + "/initialize"
    assert httpx.post(url, json=body, headers=headers).status_code == 200
    twice = '{"authnAttemptId": "a", "authnAttemptId": "b"}'
    refused = httpx.post(stack.server.base_url + AUTHN + "/status", content=twice, headers=headers)
    assert_error(refused, 400, "BAD_REQUEST", duplicate("authnAttemptId"))
