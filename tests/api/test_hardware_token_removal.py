"""DELETE /v1/sidTokens/delete (Super Admin only) and PATCH /v2/users/{id}/sidTokens/clearPin."""

from __future__ import annotations

import uuid

import pytest

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack, StackFactory
from tests.support.authenticators import audit_mark, set_token_pin, steps_since, token
from tests.support.failing_random import SwitchableRandom
from tests.support.tenant import TOKEN_ALICE, TOKEN_BOB, TOKEN_SPARE
from tests.support.wire import assert_error

DELETE = "v1/sidTokens/delete"
CLEAR_PIN = "v2/users/{}/sidTokens/clearPin"
SUPER = "super@acme.example"
HELPDESK = "helpdesk@acme.example"


def test_super_admin_deletes_an_assigned_token(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    created = format_timestamp(stack.clock())
    mark = audit_mark(stack)
    with stack.client() as api:
        response = api.request("DELETE", DELETE, json={"tokenSerialNumber": TOKEN_ALICE})
        after = api.post("v1/sidTokens/lookup", json={"tokenSerialNumber": TOKEN_ALICE})
        disable = api.patch(
            f"v1/users/{alice}/sidTokens/disable", json={"tokenSerialNumber": TOKEN_ALICE}
        )
    assert response.status_code == 200
    assert response.json() == {
        "tokenSerialNumber": TOKEN_ALICE,
        "deviceType": "SID700",
        "tokenStatus": "Enabled",
        "userId": alice,
        "assignedUserEmail": "alice@acme.example",
        "name": TOKEN_ALICE,
        "assignedBy": "operator",
        "assignedAt": created,
        "registeredDate": created,
        "pinSet": False,
        "expiryDate": None,
        "tokenStatusChangedBy": "operator",
        "tokenStatusChangedAt": created,
    }
    assert token(stack, TOKEN_ALICE) is None
    assert_error(after, 404, "NOT_FOUND", f"Hardware token {TOKEN_ALICE} not found")
    assert_error(disable, 404, "NOT_FOUND", f"Hardware token {TOKEN_ALICE} not found")
    assert steps_since(stack, mark)[0] == (
        Action.DELETE_HARDWARE_TOKEN,
        TOKEN_ALICE,
        SUPER,
        Result.SUCCESS,
        True,
    )


def test_a_spare_token_can_be_deleted_too(stack: Stack) -> None:
    with stack.client() as api:
        response = api.request("DELETE", DELETE, json={"tokenSerialNumber": TOKEN_SPARE})
    assert response.status_code == 200
    assert response.json()["userId"] is None
    assert token(stack, TOKEN_SPARE) is None


def test_help_desk_admin_may_not_delete(stack: Stack) -> None:
    mark = audit_mark(stack)
    with stack.client("helpdesk") as api:
        response = api.request("DELETE", DELETE, json={"tokenSerialNumber": TOKEN_ALICE})
    assert_error(
        response,
        403,
        "FORBIDDEN",
        "The Help Desk Admin role is not allowed to delete hardware tokens.",
    )
    assert token(stack, TOKEN_ALICE) is not None
    events = [stored.event for stored in stack.audit_events()[mark:]]
    assert len(events) == 1
    denied = events[0]
    assert (denied.action, denied.target.id, denied.admin_email, denied.result) == (
        Action.DELETE_HARDWARE_TOKEN,
        TOKEN_ALICE,
        HELPDESK,
        Result.DENIED,
    )
    assert denied.admin_role == "Help Desk Admin"
    assert denied.message == "The Help Desk Admin role is not allowed to delete hardware tokens."


def test_help_desk_refusal_comes_before_existence(stack: Stack) -> None:
    with stack.client("helpdesk") as api:
        response = api.request("DELETE", DELETE, json={"tokenSerialNumber": "UNKNOWN"})
    assert response.status_code == 403  # a help desk key learns nothing about serials


def test_unknown_or_already_deleted_token_is_404(stack: Stack) -> None:
    mark = audit_mark(stack)
    with stack.client() as api:
        unknown = api.request("DELETE", DELETE, json={"tokenSerialNumber": "999999999999"})
        first = api.request("DELETE", DELETE, json={"tokenSerialNumber": TOKEN_BOB})
        again = api.request("DELETE", DELETE, json={"tokenSerialNumber": TOKEN_BOB})
    assert_error(unknown, 404, "NOT_FOUND", "Hardware token 999999999999 not found")
    assert first.status_code == 200
    assert_error(again, 404, "NOT_FOUND", f"Hardware token {TOKEN_BOB} not found")
    assert steps_since(stack, mark) == [
        (Action.DELETE_HARDWARE_TOKEN, "999999999999", SUPER, Result.FAILURE, False),
        (Action.DELETE_HARDWARE_TOKEN, TOKEN_BOB, SUPER, Result.SUCCESS, True),
        (Action.DELETE_HARDWARE_TOKEN, TOKEN_BOB, SUPER, Result.FAILURE, False),
    ]


@pytest.mark.parametrize(
    ("body", "description"),
    [
        (b"", "Malformed JSON request body."),
        (b"{}", "tokenSerialNumber: Field required"),
        (b'{"tokenSerialNumber": null}', "tokenSerialNumber: Input should be a valid string"),
    ],
)
def test_bad_delete_bodies_are_400(stack: Stack, body: bytes, description: str) -> None:
    with stack.client() as api:
        response = api.request("DELETE", DELETE, content=body)
    assert_error(response, 400, "BAD_REQUEST", description)


@pytest.mark.parametrize("admin", ["super", "helpdesk"])
def test_clear_pin(stack: Stack, admin: str) -> None:
    alice = stack.tenant.user("alice")
    set_token_pin(stack, TOKEN_ALICE)
    mark = audit_mark(stack)
    with stack.client(admin) as api:
        response = api.patch(CLEAR_PIN.format(alice), json={"tokenSerialNumber": TOKEN_ALICE})
        again = api.patch(CLEAR_PIN.format(alice), json={"tokenSerialNumber": TOKEN_ALICE})
    expected = {"userId": alice, "tokenSerialNumber": TOKEN_ALICE, "pinSet": False}
    assert response.status_code == 200
    assert response.json() == expected
    assert again.status_code == 200
    assert again.json() == expected
    cleared = token(stack, TOKEN_ALICE)
    assert cleared is not None and cleared.pin_set is False
    email = SUPER if admin == "super" else HELPDESK
    assert steps_since(stack, mark) == [
        (Action.CLEAR_HARDWARE_TOKEN_PIN, TOKEN_ALICE, email, Result.SUCCESS, True),
        (Action.CLEAR_HARDWARE_TOKEN_PIN, TOKEN_ALICE, email, Result.SUCCESS, False),
    ]


def test_clear_pin_of_a_token_not_assigned_to_the_user_is_409(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    set_token_pin(stack, TOKEN_BOB)
    with stack.client() as api:
        other = api.patch(CLEAR_PIN.format(alice), json={"tokenSerialNumber": TOKEN_BOB})
        spare = api.patch(CLEAR_PIN.format(alice), json={"tokenSerialNumber": TOKEN_SPARE})
    assert_error(
        other, 409, "CONFLICT", f"Hardware token {TOKEN_BOB} is not assigned to user {alice}"
    )
    assert_error(spare, 409, "CONFLICT", f"Hardware token {TOKEN_SPARE} is not assigned to a user")
    kept = token(stack, TOKEN_BOB)
    assert kept is not None and kept.pin_set is True


def test_clear_pin_of_unknown_user_or_token_is_404(stack: Stack) -> None:
    stranger = str(uuid.uuid4())
    with stack.client() as api:
        user = api.patch(CLEAR_PIN.format(stranger), json={"tokenSerialNumber": TOKEN_ALICE})
        serial = api.patch(
            CLEAR_PIN.format(stack.tenant.user("alice")), json={"tokenSerialNumber": "NOPE"}
        )
    assert_error(user, 404, "NOT_FOUND", f"User {stranger} not found")
    assert_error(serial, 404, "NOT_FOUND", "Hardware token NOPE not found")


def test_bad_clear_pin_body_is_400(stack: Stack) -> None:
    with stack.client() as api:
        response = api.patch(CLEAR_PIN.format(stack.tenant.user("alice")), content=b"{")
    assert_error(response, 400, "BAD_REQUEST", "Malformed JSON request body.")


@pytest.mark.parametrize("what", ["delete", "clear PIN"])
def test_a_failure_mid_change_is_a_bare_500_and_rolls_back(
    make_stack: StackFactory, what: str
) -> None:
    random = SwitchableRandom()
    stack = make_stack(random=random)
    set_token_pin(stack, TOKEN_ALICE)
    before = token(stack, TOKEN_ALICE)
    random.failing = True
    with stack.client() as api:
        if what == "delete":
            response = api.request("DELETE", DELETE, json={"tokenSerialNumber": TOKEN_ALICE})
        else:
            response = api.patch(
                CLEAR_PIN.format(stack.tenant.user("alice")),
                json={"tokenSerialNumber": TOKEN_ALICE},
            )
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
    assert token(stack, TOKEN_ALICE) == before
