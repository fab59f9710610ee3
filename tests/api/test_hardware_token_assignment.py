"""PATCH /v1/users/{userId}/sidTokens/assign and /unassign."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack, StackFactory
from tests.support.authenticators import audit_mark, set_token_pin, steps_since, token
from tests.support.failing_random import SwitchableRandom
from tests.support.tenant import TOKEN_ALICE, TOKEN_BOB, TOKEN_SPARE
from tests.support.wire import assert_error

ASSIGN = "v1/users/{}/sidTokens/assign"
UNASSIGN = "v1/users/{}/sidTokens/unassign"
HELPDESK = "helpdesk@acme.example"


def test_assigning_a_spare_token_enables_it_under_its_serial(stack: Stack) -> None:
    dave = stack.tenant.user("dave")
    stack.clock.advance(timedelta(minutes=3))
    mark = audit_mark(stack)
    with stack.client("helpdesk") as api:
        response = api.patch(ASSIGN.format(dave), json={"tokenSerialNumber": TOKEN_SPARE})
    now = format_timestamp(stack.clock())
    assert response.status_code == 200
    assert response.json() == {
        "userId": dave,
        "tokenSerialNumber": TOKEN_SPARE,
        "tokenState": "Activation Pending",
        "tokenName": TOKEN_SPARE,
        "tokenStatus": "Enabled",
        "tokenStatusChangedBy": HELPDESK,
        "tokenStatusChangedAt": now,
    }
    with stack.client() as api:
        details = api.post("v1/sidTokens/lookup", json={"tokenSerialNumber": TOKEN_SPARE}).json()
    assert (details["userId"], details["assignedUserEmail"], details["name"]) == (
        dave,
        "dave@acme.example",
        TOKEN_SPARE,
    )
    assert (details["assignedBy"], details["assignedAt"], details["registeredDate"]) == (
        HELPDESK,
        now,
        now,
    )
    assert steps_since(stack, mark) == [
        (Action.ASSIGN_HARDWARE_TOKEN, TOKEN_SPARE, HELPDESK, Result.SUCCESS, True)
    ]


def test_token_name_is_kept_and_user_id_case_does_not_matter(stack: Stack) -> None:
    dave = stack.tenant.user("dave")
    with stack.client() as api:
        response = api.patch(
            ASSIGN.format(dave.upper()),
            json={"tokenSerialNumber": TOKEN_SPARE, "tokenName": "Dave's key ring"},
        )
    assert response.status_code == 200
    assert response.json()["userId"] == dave
    assert response.json()["tokenName"] == "Dave's key ring"


def test_assigning_again_to_the_same_user_changes_nothing(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    with stack.client() as api:
        before = api.post("v1/sidTokens/lookup", json={"tokenSerialNumber": TOKEN_ALICE}).json()
    stack.clock.advance(timedelta(minutes=5))
    mark = audit_mark(stack)
    with stack.client("helpdesk") as api:
        response = api.patch(ASSIGN.format(alice), json={"tokenSerialNumber": TOKEN_ALICE})
    assert response.status_code == 200
    assert response.json() == {
        "userId": alice,
        "tokenSerialNumber": TOKEN_ALICE,
        "tokenState": "Activation Pending",
        "tokenName": TOKEN_ALICE,
        "tokenStatus": "Enabled",
        "tokenStatusChangedBy": "operator",
        "tokenStatusChangedAt": before["tokenStatusChangedAt"],
    }
    assert steps_since(stack, mark) == [
        (Action.ASSIGN_HARDWARE_TOKEN, TOKEN_ALICE, HELPDESK, Result.SUCCESS, False)
    ]


def test_assigning_again_with_a_new_name_renames_only(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    set_token_pin(stack, TOKEN_ALICE)
    mark = audit_mark(stack)
    with stack.client("helpdesk") as api:
        response = api.patch(
            ASSIGN.format(alice), json={"tokenSerialNumber": TOKEN_ALICE, "tokenName": "Spare"}
        )
    assert response.status_code == 200
    assert response.json()["tokenName"] == "Spare"
    assert response.json()["tokenStatusChangedBy"] == "operator"
    renamed = token(stack, TOKEN_ALICE)
    assert renamed is not None
    assert (renamed.name, renamed.pin_set, renamed.assigned_by) == ("Spare", True, "operator")
    assert steps_since(stack, mark) == [
        (Action.ASSIGN_HARDWARE_TOKEN, TOKEN_ALICE, HELPDESK, Result.SUCCESS, True)
    ]


def test_token_of_another_user_is_409_and_stays_theirs(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    mark = audit_mark(stack)
    with stack.client() as api:
        response = api.patch(ASSIGN.format(alice), json={"tokenSerialNumber": TOKEN_BOB})
    assert_error(
        response, 409, "CONFLICT", f"Hardware token {TOKEN_BOB} is assigned to another user"
    )
    still = token(stack, TOKEN_BOB)
    assert still is not None and still.user_id == stack.tenant.user("bob")
    assert steps_since(stack, mark) == [
        (
            Action.ASSIGN_HARDWARE_TOKEN,
            TOKEN_BOB,
            "super@acme.example",
            Result.FAILURE,
            False,
        )
    ]


@pytest.mark.parametrize("path", [ASSIGN, UNASSIGN])
def test_unknown_user_or_token_is_404(stack: Stack, path: str) -> None:
    stranger = str(uuid.uuid4())
    with stack.client() as api:
        unknown_user = api.patch(path.format(stranger), json={"tokenSerialNumber": TOKEN_SPARE})
        unknown_token = api.patch(
            path.format(stack.tenant.user("alice")), json={"tokenSerialNumber": "NOPE"}
        )
    assert_error(unknown_user, 404, "NOT_FOUND", f"User {stranger} not found")
    assert_error(unknown_token, 404, "NOT_FOUND", "Hardware token NOPE not found")


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({}, "tokenSerialNumber: Field required"),
        ({"tokenSerialNumber": TOKEN_SPARE, "tokenName": ""}, None),
        (
            {"tokenSerialNumber": TOKEN_SPARE, "tokenName": "n" * 256},
            "tokenName: String should have at most 255 characters",
        ),
        (
            {"tokenSerialNumber": TOKEN_SPARE, "tokenName": 5},
            "tokenName: Input should be a valid string",
        ),
        ([], "Malformed JSON request body."),
    ],
)
def test_bad_assign_bodies_are_400_and_change_nothing(
    stack: Stack, body: Any, description: str | None
) -> None:
    mark = audit_mark(stack)
    with stack.client() as api:
        response = api.patch(ASSIGN.format(stack.tenant.user("dave")), json=body)
    assert_error(
        response,
        400,
        "BAD_REQUEST",
        description or "tokenName: String should have at least 1 character",
    )
    assert steps_since(stack, mark) == []
    spare = token(stack, TOKEN_SPARE)
    assert spare is not None and spare.user_id is None


def test_the_longest_name_is_accepted(stack: Stack) -> None:
    with stack.client() as api:
        response = api.patch(
            ASSIGN.format(stack.tenant.user("dave")),
            json={"tokenSerialNumber": TOKEN_SPARE, "tokenName": "n" * 255},
        )
    assert response.status_code == 200
    assert response.json()["tokenName"] == "n" * 255


def test_unassigning_returns_the_token_to_the_pool_disabled(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    set_token_pin(stack, TOKEN_ALICE)
    stack.clock.advance(timedelta(minutes=7))
    mark = audit_mark(stack)
    with stack.client("helpdesk") as api:
        response = api.patch(UNASSIGN.format(alice), json={"tokenSerialNumber": TOKEN_ALICE})
        details = api.post("v1/sidTokens/lookup", json={"tokenSerialNumber": TOKEN_ALICE})
    now = format_timestamp(stack.clock())
    assert response.status_code == 200
    assert response.json() == {
        "userId": alice,
        "tokenSerialNumber": TOKEN_ALICE,
        "tokenState": "Unassigned",
        "tokenStatus": "Disabled",
        "tokenStatusChangedBy": HELPDESK,
        "tokenStatusChangedAt": now,
    }
    assert details.json() == {
        "tokenSerialNumber": TOKEN_ALICE,
        "deviceType": "SID700",
        "tokenStatus": "Disabled",
        "userId": None,
        "assignedUserEmail": None,
        "name": None,
        "assignedBy": None,
        "assignedAt": None,
        "registeredDate": None,
        "pinSet": False,
        "expiryDate": None,
        "tokenStatusChangedBy": HELPDESK,
        "tokenStatusChangedAt": now,
    }
    assert steps_since(stack, mark) == [
        (Action.UNASSIGN_HARDWARE_TOKEN, TOKEN_ALICE, HELPDESK, Result.SUCCESS, True)
    ]


def test_unassigning_a_disabled_token_keeps_who_disabled_it(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    with stack.client() as api:
        disabled = api.patch(
            f"v1/users/{alice}/sidTokens/disable", json={"tokenSerialNumber": TOKEN_ALICE}
        ).json()
    stack.clock.advance(timedelta(minutes=1))
    with stack.client("helpdesk") as api:
        response = api.patch(UNASSIGN.format(alice), json={"tokenSerialNumber": TOKEN_ALICE})
    assert response.status_code == 200
    assert response.json()["tokenStatusChangedBy"] == "super@acme.example"
    assert response.json()["tokenStatusChangedAt"] == disabled["tokenStatusChangedAt"]


def test_unassigning_from_the_wrong_user_is_409(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    with stack.client() as api:
        other = api.patch(UNASSIGN.format(alice), json={"tokenSerialNumber": TOKEN_BOB})
        spare = api.patch(UNASSIGN.format(alice), json={"tokenSerialNumber": TOKEN_SPARE})
    assert_error(
        other, 409, "CONFLICT", f"Hardware token {TOKEN_BOB} is not assigned to user {alice}"
    )
    assert_error(spare, 409, "CONFLICT", f"Hardware token {TOKEN_SPARE} is not assigned to a user")
    kept = token(stack, TOKEN_BOB)
    assert kept is not None and kept.user_id == stack.tenant.user("bob")


def test_unassigning_twice_is_409(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    with stack.client() as api:
        first = api.patch(UNASSIGN.format(alice), json={"tokenSerialNumber": TOKEN_ALICE})
        again = api.patch(UNASSIGN.format(alice), json={"tokenSerialNumber": TOKEN_ALICE})
    assert first.status_code == 200
    assert_error(again, 409, "CONFLICT", f"Hardware token {TOKEN_ALICE} is not assigned to a user")


def test_bad_unassign_body_is_400(stack: Stack) -> None:
    with stack.client() as api:
        response = api.patch(
            UNASSIGN.format(stack.tenant.user("alice")), json={"tokenSerialNumber": ""}
        )
    assert_error(
        response, 400, "BAD_REQUEST", "tokenSerialNumber: String should have at least 1 character"
    )


@pytest.mark.parametrize(("path", "serial"), [(ASSIGN, TOKEN_SPARE), (UNASSIGN, TOKEN_ALICE)])
def test_a_failure_mid_change_is_a_bare_500_and_rolls_back(
    make_stack: StackFactory, path: str, serial: str
) -> None:
    random = SwitchableRandom()
    stack = make_stack(random=random)
    user = stack.tenant.user("dave" if serial == TOKEN_SPARE else "alice")
    before = token(stack, serial)
    random.failing = True
    with stack.client() as api:
        response = api.patch(path.format(user), json={"tokenSerialNumber": serial})
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
    assert token(stack, serial) == before


def test_a_disabled_user_can_be_given_a_token(stack: Stack) -> None:
    carol = stack.tenant.user("carol")
    with stack.client("helpdesk") as api:
        response = api.patch(ASSIGN.format(carol), json={"tokenSerialNumber": TOKEN_SPARE})
    assert response.status_code == 200
    assert response.json()["userId"] == carol
    assert response.json()["tokenStatus"] == "Enabled"
