"""POST /v1/ds100/lookup."""

from __future__ import annotations

from typing import Any

import pytest

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack, StackFactory
from tests.support.authenticators import audit_mark, set_credential_pin, steps_since
from tests.support.failing_random import SwitchableRandom
from tests.support.tenant import CREDENTIAL_DAVE, DEVICE_DAVE
from tests.support.wire import assert_error

LOOKUP = "v1/ds100/lookup"


@pytest.mark.parametrize("admin", ["super", "helpdesk"])
def test_device_with_its_user_and_credentials(stack: Stack, admin: str) -> None:
    with stack.client(admin) as api:
        response = api.post(LOOKUP, json={"deviceSerialNumber": DEVICE_DAVE})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == [
        {
            "userId": stack.tenant.user("dave"),
            "assignedUserEmail": "dave@acme.example",
            "deviceSerialNumber": DEVICE_DAVE,
            "deviceType": "SecurID DS100",
            "tokenSerialNumber": CREDENTIAL_DAVE,
            "tokenStatus": "Enabled",
            "tokenStatusChangedAt": format_timestamp(stack.clock()),
            "tokenStatusChangedBy": "operator",
            "pinSet": False,
        }
    ]


def test_lookup_shows_status_and_pin_changes(stack: Stack) -> None:
    set_credential_pin(stack, CREDENTIAL_DAVE)
    with stack.client("helpdesk") as api:
        api.patch(
            "v1/ds100/disable/otp",
            json={"deviceSerialNumber": DEVICE_DAVE, "userId": stack.tenant.user("dave")},
        )
        [credential] = api.post(LOOKUP, json={"deviceSerialNumber": DEVICE_DAVE}).json()
    assert credential["tokenStatus"] == "Disabled"
    assert credential["tokenStatusChangedBy"] == "helpdesk@acme.example"
    assert credential["pinSet"] is True


def test_unknown_device_is_404_and_audited(stack: Stack) -> None:
    mark = audit_mark(stack)
    with stack.client() as api:
        assert api.post(LOOKUP, json={"deviceSerialNumber": DEVICE_DAVE}).status_code == 200
        response = api.post(LOOKUP, json={"deviceSerialNumber": "999999999"})
    assert_error(response, 404, "NOT_FOUND", "DS100 device 999999999 not found")
    assert steps_since(stack, mark) == [
        (Action.LOOKUP_DS100, "999999999", "super@acme.example", Result.FAILURE, False)
    ]


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({}, "deviceSerialNumber: Field required"),
        ({"deviceSerialNumber": [140100080]}, "deviceSerialNumber: Input should be a valid string"),
        ({"deviceSerialNumber": "14010008"}, "deviceSerialNumber: String should match pattern"),
        ({"deviceSerialNumber": "14010008X"}, "deviceSerialNumber: String should match pattern"),
        ("140100080", "Malformed JSON request body."),
    ],
)
def test_syntax_errors_are_400(stack: Stack, body: Any, description: str) -> None:
    with stack.client() as api:
        response = api.post(LOOKUP, json=body)
    if description.endswith("pattern"):
        description += " '^\\d{9}$'"
    assert_error(response, 400, "BAD_REQUEST", description)


def test_unexpected_failure_is_a_bare_500(make_stack: StackFactory) -> None:
    random = SwitchableRandom()
    stack = make_stack(random=random)
    random.failing = True
    with stack.client() as api:
        response = api.post(LOOKUP, json={"deviceSerialNumber": "999999999"})
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
