"""PUT /v2/users/{userId}/emergencyTokencode: unit + value, one-time use, what was used."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.company import UNAMBIGUOUS_ALPHANUMERIC, EmergencyAccessSettings
from mfadesk.domain.emergency_tokencodes import EmergencyStatus
from mfadesk.otp.emergency import online_matches
from tests.conftest import Stack
from tests.support.wire import assert_error

ENABLE = "v2/users/{}/emergencyTokencode"
KEYS = [
    "emergencyTokencodeId",
    "emergencyTokencode",
    "expirationDate",
    "offlineExpirationDate",
    "oneTimeUse",
    "configurationsUsed",
    "configurationsLocked",
]


def enable(stack: Stack, body: Any, user: str = "alice", admin: str = "super") -> Any:
    with stack.client(admin) as api:
        return api.put(ENABLE.format(stack.tenant.user(user)), json=body)


def stored(stack: Stack, code_id: str, user: str = "alice") -> Any:
    with stack.db.unit_of_work() as uow:
        found = uow.emergency_tokencodes.get(stack.tenant.user(user), code_id)
    assert found is not None
    return found


def configure(stack: Stack, **settings: Any) -> None:
    with stack.db.unit_of_work() as uow:
        uow.companies.save_settings(stack.tenant.company_id, EmergencyAccessSettings(**settings))


def test_without_values_the_company_defaults_apply(stack: Stack) -> None:
    response = enable(stack, {}, admin="helpdesk")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == KEYS
    now = stack.clock()
    uuid.UUID(body["emergencyTokencodeId"])
    code = body["emergencyTokencode"]
    assert len(code) == 8 and set(code) <= set(UNAMBIGUOUS_ALPHANUMERIC)
    assert body["expirationDate"] == format_timestamp(now + timedelta(days=7))
    assert body["offlineExpirationDate"] == format_timestamp(now + timedelta(days=14))
    assert body["oneTimeUse"] is False
    assert body["configurationsUsed"] == {
        "expiryValue": 7,
        "expiryUnit": "days",
        "oneTimeUse": False,
    }
    assert body["configurationsLocked"] is False
    row = stored(stack, body["emergencyTokencodeId"])
    assert online_matches(stack.env.keys.emergency_hmac, row.user_id, code, row.online_hash)
    assert code not in row.offline_verifier and row.one_time_use is False


@pytest.mark.parametrize(
    ("unit", "value", "validity", "used"),
    [
        ("hours", 36, timedelta(hours=36), (36, "hours")),
        ("hours", 48, timedelta(hours=48), (48, "hours")),
        ("minutes", 1, timedelta(minutes=1), (1, "minutes")),
        ("minutes", 10080, timedelta(days=7), (10080, "minutes")),
        ("days", 7, timedelta(days=7), (7, "days")),
        ("days", "2", timedelta(days=2), (2, "days")),
        ("Hours", " 3 ", timedelta(hours=3), (3, "hours")),
        ("days", 1, timedelta(days=1), (1, "days")),
    ],
)
def test_the_asked_validity_is_used_and_reported(
    stack: Stack, unit: str, value: Any, validity: timedelta, used: tuple[int, str]
) -> None:
    body = enable(stack, {"expiryUnit": unit, "expiryValue": value}).json()
    now = stack.clock()
    assert body["expirationDate"] == format_timestamp(now + validity)
    assert body["offlineExpirationDate"] == format_timestamp(now + validity + timedelta(days=7))
    assert body["configurationsUsed"] == {
        "expiryValue": used[0],
        "expiryUnit": used[1],
        "oneTimeUse": False,
    }


@pytest.mark.parametrize("value", [True, "true"])
def test_one_time_use_on_request(stack: Stack, value: Any) -> None:
    body = enable(stack, {"oneTimeUse": value}).json()
    assert body["oneTimeUse"] is True and body["configurationsUsed"]["oneTimeUse"] is True
    assert stored(stack, body["emergencyTokencodeId"]).one_time_use is True


def test_the_request_wins_over_unlocked_company_defaults(stack: Stack) -> None:
    configure(stack, one_time_use=True, default_validity=timedelta(hours=12))
    defaults = enable(stack, {}).json()
    assert defaults["oneTimeUse"] is True
    assert defaults["configurationsUsed"] == {
        "expiryValue": 12,
        "expiryUnit": "hours",
        "oneTimeUse": True,
    }
    asked = enable(stack, {"oneTimeUse": False, "expiryUnit": "minutes", "expiryValue": 30}).json()
    assert asked["oneTimeUse"] is False and asked["configurationsLocked"] is False
    assert asked["expirationDate"] == format_timestamp(stack.clock() + timedelta(minutes=30))
    assert stored(stack, asked["emergencyTokencodeId"]).one_time_use is False


def test_a_locked_company_configuration_overrides_the_request(stack: Stack) -> None:
    configure(
        stack,
        locked=True,
        default_validity=timedelta(days=2),
        one_time_use=True,
        code_length=12,
        alphabet="0123456789",
        offline_validity=timedelta(days=1),
    )
    body = enable(stack, {"oneTimeUse": False, "expiryUnit": "hours", "expiryValue": 5}).json()
    now = stack.clock()
    assert body["expirationDate"] == format_timestamp(now + timedelta(days=2))
    assert body["offlineExpirationDate"] == format_timestamp(now + timedelta(days=3))
    assert body["oneTimeUse"] is True
    assert body["configurationsUsed"] == {
        "expiryValue": 2,
        "expiryUnit": "days",
        "oneTimeUse": True,
    }
    assert body["configurationsLocked"] is True
    assert len(body["emergencyTokencode"]) == 12 and body["emergencyTokencode"].isdigit()
    assert stored(stack, body["emergencyTokencodeId"]).one_time_use is True


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"expiryUnit": "days"}, "expiryUnit and expiryValue must be given together."),
        ({"expiryValue": 3}, "expiryUnit and expiryValue must be given together."),
        (
            {"expiryUnit": None, "expiryValue": 3},
            "expiryUnit and expiryValue must be given together.",
        ),
        ({"expiryUnit": "weeks", "expiryValue": 1}, "expiryUnit must be days, hours or minutes."),
        ({"expiryUnit": 1, "expiryValue": 1}, "expiryUnit must be days, hours or minutes."),
        ({"expiryUnit": "days", "expiryValue": 1.5}, "expiryValue must be a whole number."),
        ({"expiryUnit": "days", "expiryValue": "1.5"}, "expiryValue must be a whole number."),
        ({"expiryUnit": "days", "expiryValue": True}, "expiryValue must be a whole number."),
        ({"expiryUnit": "days", "expiryValue": "-1"}, "expiryValue must be a whole number."),
        ({"expiryUnit": "days", "expiryValue": [1]}, "expiryValue must be a whole number."),
        (
            {"expiryUnit": "days", "expiryValue": 0},
            "The validity must be between 1 minute and 7 days.",
        ),
        (
            {"expiryUnit": "days", "expiryValue": -1},
            "The validity must be between 1 minute and 7 days.",
        ),
        (
            {"expiryUnit": "days", "expiryValue": 8},
            "The validity must be between 1 minute and 7 days.",
        ),
        (
            {"expiryUnit": "hours", "expiryValue": 169},
            "The validity must be between 1 minute and 7 days.",
        ),
        (
            {"expiryUnit": "minutes", "expiryValue": 10081},
            "The validity must be between 1 minute and 7 days.",
        ),
        (
            {"expiryUnit": "days", "expiryValue": 10**30},
            "The validity must be between 1 minute and 7 days.",
        ),
        ({"oneTimeUse": "yes"}, "oneTimeUse must be true or false."),
        ({"oneTimeUse": 1}, "oneTimeUse must be true or false."),
        ([], "Malformed JSON request body."),
        ("7", "Malformed JSON request body."),
    ],
)
def test_invalid_requests_are_400_and_issue_nothing(
    stack: Stack, body: Any, description: str
) -> None:
    before = len(stack.audit_events())
    assert_error(enable(stack, body), 400, "BAD_REQUEST", description)
    assert len(stack.audit_events()) == before


def test_a_locked_configuration_still_refuses_an_invalid_request(stack: Stack) -> None:
    configure(stack, locked=True)
    response = enable(stack, {"expiryUnit": "days", "expiryValue": 30})
    assert_error(response, 400, "BAD_REQUEST", "The validity must be between 1 minute and 7 days.")


def test_malformed_json_is_400(stack: Stack) -> None:
    with stack.client() as api:
        response = api.put(ENABLE.format(stack.tenant.user("alice")), content=b"{")
    assert_error(response, 400, "BAD_REQUEST", "Malformed JSON request body.")


def test_a_disabled_user_is_400_and_audited(stack: Stack) -> None:
    assert_error(enable(stack, {}, user="carol"), 400, "BAD_REQUEST", "User is disabled.")
    failed = stack.audit_events()[-1].event
    assert (failed.action, failed.result) == (Action.ENABLE_EMERGENCY_TOKENCODE, Result.FAILURE)


def test_an_unknown_user_is_404(stack: Stack) -> None:
    stranger = str(uuid.uuid4())
    with stack.client() as api:
        response = api.put(ENABLE.format(stranger), json={"expiryUnit": "hours", "expiryValue": 1})
    assert_error(response, 404, "NOT_FOUND", f"User {stranger} not found")


def test_v2_replaces_the_v1_code_and_the_audit_holds_no_code(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    with stack.client() as api:
        first = api.put(f"v1/users/{alice}/emergencyTokencode", json={"expirationDays": "3"})
    second = enable(stack, {"expiryUnit": "hours", "expiryValue": 2}).json()
    assert stored(stack, first.json()["emergencyTokencodeId"]).status is EmergencyStatus.DISABLED
    assert stored(stack, second["emergencyTokencodeId"]).status is EmergencyStatus.ENABLED
    with stack.client() as api:
        details = api.post("v1/users/lookup", json={"email": "alice@acme.example"}).json()
    assert details["emergencyTokencodeId"] == second["emergencyTokencodeId"]
    assert details["emergencyTokencodeExpiration"] == second["expirationDate"]
    issued = [
        e.event for e in stack.audit_events() if e.event.action is Action.ENABLE_EMERGENCY_TOKENCODE
    ]
    assert len(issued) == 2 and all(e.result is Result.SUCCESS for e in issued)
    for event, response in zip(issued, (first.json(), second), strict=True):
        assert response["emergencyTokencode"] not in event.message
