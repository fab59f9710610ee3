"""PUT /v1/users/{userId}/emergencyTokencode and DELETE …/emergencyTokencode/{eacId}."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from mfadesk.domain.audit import Action
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.company import UNAMBIGUOUS_ALPHANUMERIC, EmergencyAccessSettings
from mfadesk.domain.emergency_tokencodes import EmergencyStatus
from mfadesk.otp.emergency import OfflineBundle, online_matches, verify_offline
from tests.conftest import Stack
from tests.support.wire import TIMESTAMP, assert_error

ENABLE = "v1/users/{}/emergencyTokencode"
DISABLE = "v1/users/{}/emergencyTokencode/{}"


def enable(stack: Stack, user: str, body: Any = None, admin: str = "super") -> Any:
    with stack.client(admin) as api:
        return api.put(ENABLE.format(user), json={"expirationDays": "7"} if body is None else body)


@pytest.mark.parametrize(("days", "expected"), [("7", 7), (3, 3), ("1", 1), (" 2 ", 2)])
def test_enable_issues_a_code_shown_once(stack: Stack, days: Any, expected: int) -> None:
    alice = stack.tenant.user("alice")
    response = enable(stack, alice, {"expirationDays": days}, admin="helpdesk")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == [
        "emergencyTokencodeId",
        "emergencyTokencode",
        "expirationDate",
        "offlineExpirationDate",
    ]
    uuid.UUID(body["emergencyTokencodeId"])
    code = body["emergencyTokencode"]
    assert len(code) == 8 and set(code) <= set(UNAMBIGUOUS_ALPHANUMERIC)
    now = stack.clock()
    assert body["expirationDate"] == format_timestamp(now + timedelta(days=expected))
    assert body["offlineExpirationDate"] == format_timestamp(now + timedelta(days=expected + 7))
    with stack.db.unit_of_work() as uow:
        stored = uow.emergency_tokencodes.get(alice, body["emergencyTokencodeId"])
    assert stored is not None
    assert code.encode() not in stored.online_hash and code not in stored.offline_verifier
    assert online_matches(stack.env.keys.emergency_hmac, alice, code.lower(), stored.online_hash)
    bundle = OfflineBundle(alice, stored.id, stored.offline_verifier, stored.offline_expires_at)
    assert verify_offline(bundle, code, now)
    assert not verify_offline(bundle, "WRONGCODE", now)
    assert not verify_offline(bundle, code, stored.offline_expires_at)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"expirationDays": None},
        {"expirationDays": "0"},
        {"expirationDays": "8"},
        {"expirationDays": 8},
        {"expirationDays": -1},
        {"expirationDays": "seven"},
        {"expirationDays": "7.5"},
        {"expirationDays": 7.5},
        {"expirationDays": True},
        {"expirationDays": ""},
        {"expirationDays": [7]},
        [],
    ],
)
def test_invalid_expiration_is_400(stack: Stack, body: Any) -> None:
    response = enable(stack, stack.tenant.user("alice"), body)
    assert_error(response, 400, "BAD_REQUEST", "Invalid expiration date.")


def test_malformed_json_is_400(stack: Stack) -> None:
    with stack.client() as api:
        response = api.put(ENABLE.format(stack.tenant.user("alice")), content=b"{")
    assert_error(response, 400, "BAD_REQUEST", "Malformed JSON request body.")


def test_disabled_user_is_400(stack: Stack) -> None:
    response = enable(stack, stack.tenant.user("carol"))
    assert_error(response, 400, "BAD_REQUEST", "User is disabled.")


def test_unknown_user_is_404(stack: Stack) -> None:
    stranger = str(uuid.uuid4())
    assert_error(enable(stack, stranger), 404, "NOT_FOUND", f"User {stranger} not found")


def test_locked_company_configuration_overrides_the_request(stack: Stack) -> None:
    with stack.db.unit_of_work() as uow:
        uow.companies.save_settings(
            stack.tenant.company_id,
            EmergencyAccessSettings(
                locked=True,
                default_validity=timedelta(days=2),
                code_length=12,
                offline_validity=timedelta(days=1),
            ),
        )
    body = enable(stack, stack.tenant.user("alice"), {"expirationDays": "7"}).json()
    now = stack.clock()
    assert body["expirationDate"] == format_timestamp(now + timedelta(days=2))
    assert body["offlineExpirationDate"] == format_timestamp(now + timedelta(days=3))
    assert len(body["emergencyTokencode"]) == 12


def test_enabling_again_replaces_the_current_code(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    first = enable(stack, alice).json()
    second = enable(stack, alice).json()
    with stack.db.unit_of_work() as uow:
        old = uow.emergency_tokencodes.get(alice, first["emergencyTokencodeId"])
        new = uow.emergency_tokencodes.get(alice, second["emergencyTokencodeId"])
    assert old is not None and old.status is EmergencyStatus.DISABLED
    assert new is not None and new.status is EmergencyStatus.ENABLED


def test_disable_removes_the_code_online_only(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    issued = enable(stack, alice).json()
    with stack.client("helpdesk") as api:
        response = api.delete(DISABLE.format(alice, issued["emergencyTokencodeId"]))
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {}
        again = api.delete(DISABLE.format(alice, issued["emergencyTokencodeId"]))
        assert (again.status_code, again.json()) == (200, {})
        details = api.post("v1/users/lookup", json={"email": "alice@acme.example"}).json()
    assert details["emergencyAccessStatus"] == "Disabled"
    assert details["emergencyTokencodeId"] is None
    assert details["offlineEmergencyAccessStatus"] == "Enabled"
    assert details["offlineEmergencyTokencodeExpiration"] == issued["offlineExpirationDate"]
    changes = [
        e.event.changed
        for e in stack.audit_events()
        if e.event.action is Action.DISABLE_EMERGENCY_TOKENCODE
    ]
    assert changes == [True, False]


def test_disable_for_unknown_user_or_code_is_404(stack: Stack) -> None:
    alice, bob = stack.tenant.user("alice"), stack.tenant.user("bob")
    issued = enable(stack, alice).json()["emergencyTokencodeId"]
    stranger, unknown = str(uuid.uuid4()), str(uuid.uuid4())
    with stack.client() as api:
        assert_error(
            api.delete(DISABLE.format(stranger, issued)),
            404,
            "NOT_FOUND",
            f"User {stranger} not found",
        )
        assert_error(
            api.delete(DISABLE.format(alice, unknown)),
            404,
            "NOT_FOUND",
            f"Emergency tokencode {unknown} not found for user {alice}",
        )
        assert_error(  # a code of another user is not this user's
            api.delete(DISABLE.format(bob, issued)),
            404,
            "NOT_FOUND",
            f"Emergency tokencode {issued} not found for user {bob}",
        )


def test_expiry_dates_have_milliseconds(stack: Stack) -> None:
    body = enable(stack, stack.tenant.user("alice")).json()
    assert TIMESTAMP.match(body["expirationDate"]) and TIMESTAMP.match(
        body["offlineExpirationDate"]
    )


def test_lookup_shows_the_newest_code_even_when_issued_in_the_same_instant(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    enable(stack, alice)
    newest = enable(stack, alice).json()  # the clock has not moved
    with stack.client() as api:
        details = api.post("v1/users/lookup", json={"email": "alice@acme.example"}).json()
    assert details["emergencyTokencodeId"] == newest["emergencyTokencodeId"]
