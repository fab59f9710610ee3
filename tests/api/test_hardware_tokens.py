"""PATCH /v1/users/{userId}/sidTokens/disable and /enable over real HTTP."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack, StackFactory
from tests.support.failing_random import SwitchableRandom
from tests.support.tenant import TOKEN_ALICE, TOKEN_BOB, TOKEN_SPARE
from tests.support.wire import assert_error

DISABLE = "v1/users/{}/sidTokens/disable"
ENABLE = "v1/users/{}/sidTokens/enable"


def test_disable_answers_the_token_details(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    with stack.client() as api:
        response = api.patch(DISABLE.format(alice), json={"tokenSerialNumber": TOKEN_ALICE})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "userId": alice,
        "tokenSerialNumber": TOKEN_ALICE,
        "tokenStatus": "Disabled",
        "tokenStatusChangedBy": "super@acme.example",
        "tokenStatusChangedAt": format_timestamp(stack.clock()),
    }


def test_repeated_disable_changes_nothing_and_enable_brings_it_back(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    with stack.client() as api:
        first = api.patch(DISABLE.format(alice), json={"tokenSerialNumber": TOKEN_ALICE}).json()
    stack.clock.advance(timedelta(minutes=5))
    with stack.client("helpdesk") as api:
        again = api.patch(DISABLE.format(alice), json={"tokenSerialNumber": TOKEN_ALICE})
        assert again.status_code == 200
        assert again.json() == first  # same status, time and changer
        enabled = api.patch(ENABLE.format(alice), json={"tokenSerialNumber": TOKEN_ALICE})
    assert enabled.status_code == 200
    assert enabled.json()["tokenStatus"] == "Enabled"
    assert enabled.json()["tokenStatusChangedBy"] == "helpdesk@acme.example"
    assert enabled.json()["tokenStatusChangedAt"] == format_timestamp(stack.clock())
    changes = [
        (e.event.action, e.event.changed, e.event.admin_email)
        for e in stack.audit_events()
        if e.event.action in (Action.DISABLE_HARDWARE_TOKEN, Action.ENABLE_HARDWARE_TOKEN)
    ]
    assert changes == [
        (Action.DISABLE_HARDWARE_TOKEN, True, "super@acme.example"),
        (Action.DISABLE_HARDWARE_TOKEN, False, "helpdesk@acme.example"),
        (Action.ENABLE_HARDWARE_TOKEN, True, "helpdesk@acme.example"),
    ]


@pytest.mark.parametrize("path", [DISABLE, ENABLE])
def test_unknown_user_is_404(stack: Stack, path: str) -> None:
    stranger = str(uuid.uuid4())
    with stack.client() as api:
        response = api.patch(path.format(stranger), json={"tokenSerialNumber": TOKEN_ALICE})
    assert_error(response, 404, "NOT_FOUND", f"User {stranger} not found")


def test_user_id_that_is_not_a_uuid_is_404(stack: Stack) -> None:
    with stack.client() as api:
        response = api.patch(DISABLE.format("not-a-user"), json={"tokenSerialNumber": TOKEN_ALICE})
    assert_error(response, 404, "NOT_FOUND", "User not-a-user not found")


@pytest.mark.parametrize("path", [DISABLE, ENABLE])
def test_unknown_token_is_404(stack: Stack, path: str) -> None:
    with stack.client() as api:
        response = api.patch(
            path.format(stack.tenant.user("alice")), json={"tokenSerialNumber": "999999999999"}
        )
    assert_error(response, 404, "NOT_FOUND", "Hardware token 999999999999 not found")


@pytest.mark.parametrize("path", [DISABLE, ENABLE])
def test_token_of_another_user_is_409(stack: Stack, path: str) -> None:
    alice = stack.tenant.user("alice")
    with stack.client() as api:
        response = api.patch(path.format(alice), json={"tokenSerialNumber": TOKEN_BOB})
    assert_error(
        response, 409, "CONFLICT", f"Hardware token {TOKEN_BOB} is not assigned to user {alice}"
    )


@pytest.mark.parametrize("path", [DISABLE, ENABLE])
def test_unassigned_token_is_409(stack: Stack, path: str) -> None:
    with stack.client() as api:
        response = api.patch(
            path.format(stack.tenant.user("alice")), json={"tokenSerialNumber": TOKEN_SPARE}
        )
    assert_error(
        response, 409, "CONFLICT", f"Hardware token {TOKEN_SPARE} is not assigned to a user"
    )
    refused = stack.audit_events()[-1].event
    assert (refused.result, refused.target.id) == (Result.FAILURE, TOKEN_SPARE)


@pytest.mark.parametrize(
    ("body", "description"),
    [
        (b"{not json", "Malformed JSON request body."),
        (b"", "Malformed JSON request body."),
        (b"[]", "Malformed JSON request body."),
        (b"{}", "tokenSerialNumber: Field required"),
        (b'{"tokenSerialNumber": true}', "tokenSerialNumber: Input should be a valid string"),
        (
            b'{"tokenSerialNumber": ""}',
            "tokenSerialNumber: String should have at least 1 character",
        ),
        (
            b'{"tokenSerialNumber": "' + b"1" * 37 + b'"}',
            "tokenSerialNumber: String should have at most 36 characters",
        ),
    ],
)
def test_bad_bodies_are_400_and_change_nothing(stack: Stack, body: bytes, description: str) -> None:
    before = len(stack.audit_events())
    with stack.client() as api:
        response = api.patch(DISABLE.format(stack.tenant.user("alice")), content=body)
    assert_error(response, 400, "BAD_REQUEST", description)
    assert len(stack.audit_events()) == before


def test_odd_content_type_of_real_clients_is_accepted(stack: Stack) -> None:
    with stack.client() as api:
        response = api.patch(
            DISABLE.format(stack.tenant.user("alice")),
            content=b'{"tokenSerialNumber": "%s"}' % TOKEN_ALICE.encode(),
            headers={"Content-Type": "application/application-json"},
        )
    assert response.status_code == 200


def test_unexpected_failure_is_a_bare_500(make_stack: StackFactory) -> None:
    random = SwitchableRandom()
    stack = make_stack(random=random)
    random.failing = True
    with stack.client() as api:
        response = api.patch(
            DISABLE.format(stack.tenant.user("alice")), json={"tokenSerialNumber": TOKEN_ALICE}
        )
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
    random.failing = False
    with stack.client() as api:  # the failed change was rolled back, audit and all
        after = api.patch(
            ENABLE.format(stack.tenant.user("alice")), json={"tokenSerialNumber": TOKEN_ALICE}
        )
    assert after.json()["tokenStatusChangedBy"] == "operator"
