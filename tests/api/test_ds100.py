"""PATCH /v1/ds100/disable/otp and /v1/ds100/enable/otp."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack, StackFactory
from tests.support.failing_random import SwitchableRandom
from tests.support.tenant import CREDENTIAL_DAVE, DEVICE_DAVE, DEVICE_SPARE_OWNER_BOB
from tests.support.wire import assert_error

DISABLE = "v1/ds100/disable/otp"
ENABLE = "v1/ds100/enable/otp"


def test_disable_answers_an_array_of_credentials(stack: Stack) -> None:
    dave = stack.tenant.user("dave")
    with stack.client("helpdesk") as api:
        response = api.patch(DISABLE, json={"deviceSerialNumber": DEVICE_DAVE, "userId": dave})
    assert response.status_code == 200
    assert response.json() == [
        {
            "userId": dave,
            "tokenSerialNumber": CREDENTIAL_DAVE,
            "tokenStatus": "Disabled",
            "tokenStatusChangedAt": format_timestamp(stack.clock()),
            "tokenStatusChangedBy": "helpdesk@acme.example",
            "deviceSerialNumber": DEVICE_DAVE,
        }
    ]


def test_a_serial_sent_as_a_number_is_taken_as_its_digits(stack: Stack) -> None:
    body = {"deviceSerialNumber": int(DEVICE_DAVE), "userId": stack.tenant.user("dave")}
    with stack.client() as api:
        response = api.patch(DISABLE, json=body)
    assert response.status_code == 200
    assert [c["deviceSerialNumber"] for c in response.json()] == [DEVICE_DAVE]


def test_disable_is_idempotent_and_enable_restores(stack: Stack) -> None:
    body = {"deviceSerialNumber": DEVICE_DAVE, "userId": stack.tenant.user("dave")}
    with stack.client() as api:
        first = api.patch(DISABLE, json=body).json()
        assert api.patch(DISABLE, json=body).json() == first
        enabled = api.patch(ENABLE, json=body)
    assert enabled.status_code == 200
    assert [c["tokenStatus"] for c in enabled.json()] == ["Enabled"]


@pytest.mark.parametrize("path", [DISABLE, ENABLE])
def test_unknown_user_device_or_registration_is_404(stack: Stack, path: str) -> None:
    dave, stranger = stack.tenant.user("dave"), str(uuid.uuid4())
    with stack.client() as api:
        assert_error(
            api.patch(path, json={"deviceSerialNumber": DEVICE_DAVE, "userId": stranger}),
            404,
            "NOT_FOUND",
            f"User {stranger} not found",
        )
        assert_error(
            api.patch(path, json={"deviceSerialNumber": "999999999", "userId": dave}),
            404,
            "NOT_FOUND",
            "DS100 device 999999999 not found",
        )
        assert_error(
            api.patch(path, json={"deviceSerialNumber": DEVICE_SPARE_OWNER_BOB, "userId": dave}),
            404,
            "NOT_FOUND",
            f"DS100 device {DEVICE_SPARE_OWNER_BOB} is not registered to user {dave}",
        )


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"userId": "{dave}"}, "deviceSerialNumber: Field required"),
        ({"deviceSerialNumber": DEVICE_DAVE}, "userId: Field required"),
        (
            {"deviceSerialNumber": True, "userId": "{dave}"},
            "deviceSerialNumber: Input should be a valid string",
        ),
        (
            {"deviceSerialNumber": "14010008", "userId": "{dave}"},
            "deviceSerialNumber: String should match pattern '^\\d{9}$'",
        ),
        (
            {"deviceSerialNumber": "1401000800", "userId": "{dave}"},
            "deviceSerialNumber: String should match pattern '^\\d{9}$'",
        ),
        ({"deviceSerialNumber": DEVICE_DAVE, "userId": "dave"}, None),
        ([], "Malformed JSON request body."),
    ],
)
def test_syntax_errors_are_400(stack: Stack, body: Any, description: str | None) -> None:
    dave = stack.tenant.user("dave")
    if isinstance(body, dict):
        body = {k: v.format(dave=dave) if isinstance(v, str) else v for k, v in body.items()}
    with stack.client() as api:
        response = api.patch(DISABLE, json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "400 BAD_REQUEST"
    if description is not None:
        assert response.json()["description"] == description


def test_unexpected_failure_is_a_bare_500(make_stack: StackFactory) -> None:
    random = SwitchableRandom()
    stack = make_stack(random=random)
    random.failing = True
    with stack.client() as api:
        response = api.patch(
            DISABLE, json={"deviceSerialNumber": DEVICE_DAVE, "userId": stack.tenant.user("dave")}
        )
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
