"""DELETE /v1/ds100/delete/otp (Super Admin only), PATCH /v1/ds100/clearPin/otp, and a DS100
credential's life as the audit trail tells it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from mfadesk.domain.audit import Action, Result
from tests.conftest import Stack, StackFactory
from tests.support.authenticators import (
    audit_mark,
    credential,
    set_credential_pin,
    steps_since,
)
from tests.support.failing_random import SwitchableRandom
from tests.support.tenant import CREDENTIAL_DAVE, DEVICE_DAVE, DEVICE_SPARE_OWNER_BOB
from tests.support.wire import assert_auth_failure, assert_error, assert_too_many

DELETE = "v1/ds100/delete/otp"
CLEAR_PIN = "v1/ds100/clearPin/otp"
CREDENTIAL_BOB = "014010008131"
SUPER = "super@acme.example"
HELPDESK = "helpdesk@acme.example"


def _delete_body(stack: Stack, **overrides: str) -> dict[str, str]:
    body = {
        "tokenSerialNumber": CREDENTIAL_DAVE,
        "deviceSerialNumber": DEVICE_DAVE,
        "userId": stack.tenant.user("dave"),
    }
    return {**body, **overrides}


def test_super_admin_deletes_an_otp_credential(stack: Stack) -> None:
    dave = stack.tenant.user("dave")
    mark = audit_mark(stack)
    with stack.client() as api:
        response = api.request("DELETE", DELETE, json=_delete_body(stack))
        lookup = api.post("v1/ds100/lookup", json={"deviceSerialNumber": DEVICE_DAVE})
        disable = api.patch(
            "v1/ds100/disable/otp", json={"deviceSerialNumber": DEVICE_DAVE, "userId": dave}
        )
        again = api.request("DELETE", DELETE, json=_delete_body(stack))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {}
    assert credential(stack, CREDENTIAL_DAVE) is None
    assert (lookup.status_code, lookup.json()) == (200, [])  # the device stays registered
    assert (disable.status_code, disable.json()) == (200, [])
    assert_error(
        again,
        404,
        "NOT_FOUND",
        f"DS100 OTP credential {CREDENTIAL_DAVE} of device {DEVICE_DAVE} not found",
    )
    assert steps_since(stack, mark) == [
        (Action.DELETE_DS100_OTP, CREDENTIAL_DAVE, SUPER, Result.SUCCESS, True),
        (Action.DISABLE_DS100_OTP, DEVICE_DAVE, SUPER, Result.SUCCESS, False),
        (Action.DELETE_DS100_OTP, CREDENTIAL_DAVE, SUPER, Result.FAILURE, False),
    ]


def test_help_desk_admin_may_not_delete(stack: Stack) -> None:
    mark = audit_mark(stack)
    with stack.client("helpdesk") as api:
        response = api.request("DELETE", DELETE, json=_delete_body(stack))
    message = "The Help Desk Admin role is not allowed to delete DS100 OTP credentials."
    assert_error(response, 403, "FORBIDDEN", message)
    assert credential(stack, CREDENTIAL_DAVE) is not None
    [denied] = [stored.event for stored in stack.audit_events()[mark:]]
    assert (denied.action, denied.target.id, denied.admin_email, denied.result) == (
        Action.DELETE_DS100_OTP,
        CREDENTIAL_DAVE,
        HELPDESK,
        Result.DENIED,
    )
    assert (denied.admin_role, denied.message) == ("Help Desk Admin", message)


def test_delete_404s(stack: Stack) -> None:
    dave, stranger = stack.tenant.user("dave"), str(uuid.uuid4())
    cases = [
        (_delete_body(stack, userId=stranger), f"User {stranger} not found"),
        (_delete_body(stack, deviceSerialNumber="999999999"), "DS100 device 999999999 not found"),
        (
            _delete_body(stack, deviceSerialNumber=DEVICE_SPARE_OWNER_BOB),
            f"DS100 device {DEVICE_SPARE_OWNER_BOB} is not registered to user {dave}",
        ),
        (
            _delete_body(stack, tokenSerialNumber=CREDENTIAL_BOB),
            f"DS100 OTP credential {CREDENTIAL_BOB} of device {DEVICE_DAVE} not found",
        ),
        (
            _delete_body(stack, tokenSerialNumber="014010008099"),
            f"DS100 OTP credential 014010008099 of device {DEVICE_DAVE} not found",
        ),
    ]
    with stack.client() as api:
        for body, description in cases:
            assert_error(api.request("DELETE", DELETE, json=body), 404, "NOT_FOUND", description)
    assert credential(stack, CREDENTIAL_BOB) is not None
    assert credential(stack, CREDENTIAL_DAVE) is not None


_PATTERN_12 = "String should match pattern '^\\d{12}$'"
_PATTERN_9 = "String should match pattern '^\\d{9}$'"


@pytest.mark.parametrize(
    ("overrides", "description"),
    [
        ({"tokenSerialNumber": "01401000803"}, f"tokenSerialNumber: {_PATTERN_12}"),
        ({"tokenSerialNumber": "0140100080311"}, f"tokenSerialNumber: {_PATTERN_12}"),
        ({"tokenSerialNumber": 1.4e10}, "tokenSerialNumber: Input should be a valid string"),
        ({"deviceSerialNumber": "1401000800"}, f"deviceSerialNumber: {_PATTERN_9}"),
        ({"userId": "dave"}, "userId: String should match pattern"),
    ],
)
def test_delete_syntax_errors_are_400(
    stack: Stack, overrides: dict[str, Any], description: str
) -> None:
    with stack.client() as api:
        response = api.request("DELETE", DELETE, json={**_delete_body(stack), **overrides})
    assert response.status_code == 400
    assert response.json()["code"] == "400 BAD_REQUEST"
    assert response.json()["description"].startswith(description)
    assert credential(stack, CREDENTIAL_DAVE) is not None


@pytest.mark.parametrize("admin", ["super", "helpdesk"])
def test_clear_pin(stack: Stack, admin: str) -> None:
    dave = stack.tenant.user("dave")
    set_credential_pin(stack, CREDENTIAL_DAVE)
    mark = audit_mark(stack)
    body = {"tokenSerialNumber": CREDENTIAL_DAVE, "userId": dave.upper()}
    with stack.client(admin) as api:
        response = api.patch(CLEAR_PIN, json=body)
        again = api.patch(CLEAR_PIN, json=body)
    expected = {"userId": dave, "tokenSerialNumber": CREDENTIAL_DAVE, "pinSet": False}
    assert (response.status_code, response.json()) == (200, expected)
    assert (again.status_code, again.json()) == (200, expected)
    cleared = credential(stack, CREDENTIAL_DAVE)
    assert cleared is not None and cleared.pin_set is False
    email = SUPER if admin == "super" else HELPDESK
    assert steps_since(stack, mark) == [
        (Action.CLEAR_DS100_OTP_PIN, CREDENTIAL_DAVE, email, Result.SUCCESS, True),
        (Action.CLEAR_DS100_OTP_PIN, CREDENTIAL_DAVE, email, Result.SUCCESS, False),
    ]


def test_clear_pin_404s(stack: Stack) -> None:
    dave, stranger = stack.tenant.user("dave"), str(uuid.uuid4())
    set_credential_pin(stack, CREDENTIAL_BOB)
    cases = [
        ({"tokenSerialNumber": CREDENTIAL_DAVE, "userId": stranger}, f"User {stranger} not found"),
        (
            {"tokenSerialNumber": "000000000000", "userId": dave},
            "DS100 OTP credential 000000000000 not found",
        ),
        (
            {"tokenSerialNumber": CREDENTIAL_BOB, "userId": dave},
            f"DS100 OTP credential {CREDENTIAL_BOB} is not registered to user {dave}",
        ),
    ]
    with stack.client() as api:
        for body, description in cases:
            assert_error(api.patch(CLEAR_PIN, json=body), 404, "NOT_FOUND", description)
    kept = credential(stack, CREDENTIAL_BOB)
    assert kept is not None and kept.pin_set is True


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"userId": "{dave}"}, "tokenSerialNumber: Field required"),
        ({"tokenSerialNumber": CREDENTIAL_DAVE}, "userId: Field required"),
        (
            {"tokenSerialNumber": DEVICE_DAVE, "userId": "{dave}"},
            f"tokenSerialNumber: {_PATTERN_12}",
        ),
    ],
)
def test_clear_pin_syntax_errors_are_400(
    stack: Stack, body: dict[str, str], description: str
) -> None:
    dave = stack.tenant.user("dave")
    with stack.client() as api:
        response = api.patch(CLEAR_PIN, json={k: v.format(dave=dave) for k, v in body.items()})
    assert_error(response, 400, "BAD_REQUEST", description)


def test_disable_enable_clear_pin_delete(stack: Stack) -> None:
    dave = stack.tenant.user("dave")
    device = {"deviceSerialNumber": DEVICE_DAVE, "userId": dave}
    set_credential_pin(stack, CREDENTIAL_DAVE)
    mark = audit_mark(stack)

    def step(api: httpx.Client, method: str, path: str, body: dict[str, str]) -> httpx.Response:
        stack.clock.advance(timedelta(seconds=10))
        return api.request(method, path, json=body)

    with stack.client("helpdesk") as helpdesk, stack.client() as admin:
        disabled = step(helpdesk, "PATCH", "v1/ds100/disable/otp", device)
        assert [c["tokenStatus"] for c in disabled.json()] == ["Disabled"]
        enabled = step(admin, "PATCH", "v1/ds100/enable/otp", device)
        assert [c["tokenStatus"] for c in enabled.json()] == ["Enabled"]
        cleared = step(
            helpdesk, "PATCH", CLEAR_PIN, {"tokenSerialNumber": CREDENTIAL_DAVE, "userId": dave}
        )
        assert cleared.json()["pinSet"] is False
        assert step(helpdesk, "DELETE", DELETE, _delete_body(stack)).status_code == 403
        assert step(admin, "DELETE", DELETE, _delete_body(stack)).status_code == 200
        assert (
            step(admin, "POST", "v1/ds100/lookup", {"deviceSerialNumber": DEVICE_DAVE}).json() == []
        )

    assert steps_since(stack, mark) == [
        (Action.DISABLE_DS100_OTP, DEVICE_DAVE, HELPDESK, Result.SUCCESS, True),
        (Action.ENABLE_DS100_OTP, DEVICE_DAVE, SUPER, Result.SUCCESS, True),
        (Action.CLEAR_DS100_OTP_PIN, CREDENTIAL_DAVE, HELPDESK, Result.SUCCESS, True),
        (Action.DELETE_DS100_OTP, CREDENTIAL_DAVE, HELPDESK, Result.DENIED, False),
        (Action.DELETE_DS100_OTP, CREDENTIAL_DAVE, SUPER, Result.SUCCESS, True),
    ]
    with stack.db.unit_of_work() as uow:
        assert uow.audit.verify_chain().ok


@pytest.mark.parametrize("path", [DELETE, CLEAR_PIN])
def test_a_failure_mid_change_is_a_bare_500_and_rolls_back(
    make_stack: StackFactory, path: str
) -> None:
    random = SwitchableRandom()
    stack = make_stack(random=random)
    set_credential_pin(stack, CREDENTIAL_DAVE)
    before = credential(stack, CREDENTIAL_DAVE)
    random.failing = True
    method = "DELETE" if path == DELETE else "PATCH"
    with stack.client() as api:
        response = api.request(method, path, json=_delete_body(stack))
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
    assert credential(stack, CREDENTIAL_DAVE) == before


# The DS100 endpoints added beside disable/enable: (method, path, body)
ENDPOINTS = [
    ("POST", "v1/ds100/lookup", {"deviceSerialNumber": DEVICE_DAVE}),
    ("DELETE", DELETE, {"tokenSerialNumber": "014010008099", "deviceSerialNumber": DEVICE_DAVE}),
    ("PATCH", CLEAR_PIN, {"tokenSerialNumber": CREDENTIAL_DAVE}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_a_refused_jwt_gets_the_filter_403(
    stack: Stack, method: str, path: str, body: dict[str, str]
) -> None:
    json = {**body, "userId": stack.tenant.user("dave")}
    for headers in ({}, {"Authorization": "Bearer not.a.jwt"}):
        response = httpx.request(method, f"{stack.admin_base}/{path}", json=json, headers=headers)
        assert_auth_failure(response)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_every_endpoint_answers_429_past_the_key_limit(
    make_stack: StackFactory, method: str, path: str, body: dict[str, str]
) -> None:
    stack = make_stack(rate_limit_per_second=0.01, rate_limit_burst=2)
    json = {**body, "userId": stack.tenant.user("dave")}
    with stack.client() as api:
        for _ in range(2):
            assert api.request(method, path, json=json).status_code != 429
        limited = api.request(method, path, json=json)
    assert_too_many(limited)
    with stack.client("helpdesk") as other:
        assert other.request(method, path, json=json).status_code != 429
