"""POST /v1/users/lookup."""

from __future__ import annotations

import pytest

from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack
from tests.support.wire import assert_error


@pytest.mark.parametrize("email", ["alice@acme.example", "  Alice@ACME.example "])
def test_lookup_by_email(stack: Stack, email: str) -> None:
    with stack.client("helpdesk") as api:
        response = api.post("v1/users/lookup", json={"email": email, "searchUnsynched": True})
    assert response.status_code == 200
    alice = stack.tenant.user("alice")
    body = response.json()
    assert body == {
        "id": alice,
        "emailAddress": "alice@acme.example",
        "firstName": "Alice",
        "lastName": "Test",
        "creationDate": format_timestamp(stack.clock()),
        "identitySource": "local",
        "userStatus": "Enabled",
        "highRiskUser": False,
        "markDeleted": False,
        "markDeletedAt": None,
        "markDeletedBy": None,
        "isTokenLocked": False,
        "isSmsLocked": False,
        "isVoiceLocked": False,
        "isFingerprintLocked": False,
        "isApproveLocked": False,
        "lastSyncTime": None,
        "emergencyAccessStatus": "Disabled",
        "emergencyTokencodeId": None,
        "emergencyTokencodeExpiration": None,
        "emergencyTokencodeLastUse": None,
        "offlineEmergencyTokencodeExpiration": None,
        "offlineEmergencyAccessStatus": "Disabled",
        "monthLastAuthenticated": None,
        "principalUsername": "alice@acme.example",
        "alternateUsername": "",
        "primaryUniqueIdentifier": alice,
    }
    assert list(body)[:4] == ["id", "emailAddress", "firstName", "lastName"]


def test_disabled_user_shows_as_disabled(stack: Stack) -> None:
    with stack.client() as api:
        body = api.post("v1/users/lookup", json={"email": "carol@acme.example"}).json()
    assert body["userStatus"] == "Disabled"


def test_unknown_email_is_404(stack: Stack) -> None:
    with stack.client() as api:
        response = api.post("v1/users/lookup", json={"email": "nobody@acme.example"})
    assert_error(response, 404, "NOT_FOUND", "User nobody@acme.example not found")


@pytest.mark.parametrize("body", [{}, {"email": 5}, {"email": ""}])
def test_missing_email_is_400(stack: Stack, body: object) -> None:
    with stack.client() as api:
        response = api.post("v1/users/lookup", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "400 BAD_REQUEST"


def test_unknown_path_is_404_in_the_error_format(stack: Stack) -> None:
    with stack.client() as api:
        response = api.get("v1/nothing/here")
    assert_error(
        response, 404, "NOT_FOUND", "No endpoint at /AdminInterface/restapi/v1/nothing/here"
    )
