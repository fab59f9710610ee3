"""GET /v2/users/{userId}/devices: SID700 tokens in sidTokens[], DS100 devices in devices[]."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.hardware_tokens import HardwareToken, TokenStatus
from tests.conftest import Stack
from tests.support.authenticators import set_token_pin
from tests.support.tenant import (
    CREDENTIAL_DAVE,
    DEVICE_DAVE,
    DEVICE_SPARE_OWNER_BOB,
    TOKEN_ALICE,
    TOKEN_BOB,
)
from tests.support.wire import assert_error

DEVICES = "v2/users/{}/devices"


def devices(stack: Stack, user: str, admin: str = "super", **params: Any) -> Any:
    with stack.client(admin) as api:
        response = api.get(DEVICES.format(stack.tenant.user(user)), params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def sid700(serial: str, stack: Stack, **changes: Any) -> dict[str, Any]:
    entry = {
        "deviceType": "SID700",
        "tokenSerialNumber": serial,
        "name": serial,
        "tokenStatus": "Enabled",
        "tokenStatusChangedAt": format_timestamp(stack.clock()),
        "tokenStatusChangedBy": "operator",
        "pinSet": False,
        "expiryDate": None,
    }
    return entry | changes


def ds100(device: str, credential: str, stack: Stack, **changes: Any) -> dict[str, Any]:
    otp = {
        "tokenSerialNumber": credential,
        "tokenStatus": "Enabled",
        "tokenStatusChangedAt": format_timestamp(stack.clock()),
        "tokenStatusChangedBy": "operator",
        "pinSet": False,
    }
    return {
        "deviceType": "SecurID DS100",
        "deviceSerialNumber": device,
        "otpCredentials": [otp | changes],
    }


def test_a_user_with_a_hardware_token(stack: Stack) -> None:
    body = devices(stack, "alice", admin="helpdesk")
    assert list(body) == ["devices", "fidoTokens", "sidTokens"]
    assert body == {"devices": [], "fidoTokens": [], "sidTokens": [sid700(TOKEN_ALICE, stack)]}


def test_a_user_with_both_kinds(stack: Stack) -> None:
    assert devices(stack, "bob") == {
        "devices": [ds100(DEVICE_SPARE_OWNER_BOB, f"0{DEVICE_SPARE_OWNER_BOB}31", stack)],
        "fidoTokens": [],
        "sidTokens": [sid700(TOKEN_BOB, stack)],
    }


def test_a_user_with_a_ds100(stack: Stack) -> None:
    assert devices(stack, "dave") == {
        "devices": [ds100(DEVICE_DAVE, CREDENTIAL_DAVE, stack)],
        "fidoTokens": [],
        "sidTokens": [],
    }


def test_a_user_without_authenticators(stack: Stack) -> None:
    assert devices(stack, "carol") == {"devices": [], "fidoTokens": [], "sidTokens": []}


def test_status_changes_show(stack: Stack) -> None:
    dave, alice = stack.tenant.user("dave"), stack.tenant.user("alice")
    stack.clock.advance(timedelta(minutes=2))
    with stack.client("helpdesk") as api:
        api.patch(
            "v1/ds100/disable/otp", json={"deviceSerialNumber": DEVICE_DAVE, "userId": dave}
        ).raise_for_status()
        api.patch(
            f"v1/users/{alice}/sidTokens/disable", json={"tokenSerialNumber": TOKEN_ALICE}
        ).raise_for_status()
    changed = {
        "tokenStatus": "Disabled",
        "tokenStatusChangedAt": format_timestamp(stack.clock()),
        "tokenStatusChangedBy": "helpdesk@acme.example",
    }
    assert devices(stack, "dave")["devices"] == [
        ds100(DEVICE_DAVE, CREDENTIAL_DAVE, stack, **changed)
    ]
    assert devices(stack, "alice")["sidTokens"] == [sid700(TOKEN_ALICE, stack, **changed)]


def test_tokens_are_sorted_and_expiry_is_midnight_utc(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    with stack.db.unit_of_work() as uow:
        uow.hardware_tokens.add(
            HardwareToken(
                serial="000100000000",
                company_id=stack.tenant.company_id,
                status=TokenStatus.DISABLED,
                user_id=alice,
                name="Desk token",
                status_changed_at=stack.clock(),
                status_changed_by="operator",
                expiry_date=date(2027, 2, 12),
            ),
            None,
        )
    set_token_pin(stack, "000100000000")
    assert devices(stack, "alice")["sidTokens"] == [
        sid700(
            "000100000000",
            stack,
            name="Desk token",
            tokenStatus="Disabled",
            pinSet=True,
            expiryDate="2027-02-12T00:00:00.000Z",
        ),
        sid700(TOKEN_ALICE, stack),
    ]


@pytest.mark.parametrize("value", ["true", "false", "False", ""])
def test_include_browsers_is_accepted(stack: Stack, value: str) -> None:
    assert devices(stack, "alice", includeBrowsers=value)["sidTokens"][0]["tokenSerialNumber"] == (
        TOKEN_ALICE
    )


def test_include_browsers_must_be_a_boolean(stack: Stack) -> None:
    with stack.client() as api:
        response = api.get(
            DEVICES.format(stack.tenant.user("alice")), params={"includeBrowsers": "maybe"}
        )
    assert_error(response, 400, "BAD_REQUEST", "includeBrowsers must be true or false")
