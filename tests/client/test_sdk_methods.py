"""Every SDK method against the real server, with the sync and the async client."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from mfadesk.client import (
    ApiError,
    AuthenticationFailed,
    BadRequest,
    Conflict,
    Ds100CredentialStatus,
    EnableEmergencyTokencodeV1Response,
    Forbidden,
    NotFound,
    SidTokenStatusResponse,
    UserDetailsResponse,
)
from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack
from tests.support.sdk import key_file_contents, make_client
from tests.support.tenant import CREDENTIAL_DAVE, DEVICE_DAVE, TOKEN_ALICE, TOKEN_BOB


def assert_api_error(error: ApiError, status: int, reason: str, description: str) -> None:
    assert error.status == status
    assert error.code == f"{status} {reason}"
    assert error.description == description
    assert str(error) == f"{status} {reason}: {description}"


async def test_lookup_user(stack: Stack, api: Any) -> None:
    alice = await api.lookup_user("Alice@acme.example")
    assert isinstance(alice, UserDetailsResponse)
    assert alice.id == stack.tenant.user("alice")
    assert (alice.emailAddress, alice.firstName, alice.userStatus) == (
        "alice@acme.example",
        "Alice",
        "Enabled",
    )
    assert alice.emergencyAccessStatus == "Disabled" and alice.emergencyTokencodeId is None
    with pytest.raises(NotFound) as missing:
        await api.lookup_user("nobody@acme.example")
    assert_api_error(missing.value, 404, "NOT_FOUND", "User nobody@acme.example not found")
    assert missing.value.url.endswith("/AdminInterface/restapi/v1/users/lookup")
    with pytest.raises(BadRequest) as empty:
        await api.lookup_user("")
    assert empty.value.status == 400 and empty.value.description.startswith("email")


async def test_emergency_tokencode_enable_then_disable(stack: Stack, api: Any) -> None:
    alice = stack.tenant.user("alice")
    issued = await api.enable_emergency_tokencode_v1(alice, 3)
    assert isinstance(issued, EnableEmergencyTokencodeV1Response)
    assert len(issued.emergencyTokencode) == 8
    assert issued.expirationDate == format_timestamp(stack.clock() + timedelta(days=3))
    details = await api.lookup_user("alice@acme.example")
    assert details.emergencyAccessStatus == "Enabled"
    assert details.emergencyTokencodeId == issued.emergencyTokencodeId

    assert await api.disable_emergency_tokencode(alice, issued.emergencyTokencodeId) is None
    assert (await api.lookup_user("alice@acme.example")).emergencyAccessStatus == "Disabled"
    assert await api.disable_emergency_tokencode(alice, issued.emergencyTokencodeId) is None

    never = str(uuid.uuid4())
    with pytest.raises(NotFound) as unknown_code:
        await api.disable_emergency_tokencode(alice, never)
    assert_api_error(
        unknown_code.value,
        404,
        "NOT_FOUND",
        f"Emergency tokencode {never} not found for user {alice}",
    )


@pytest.mark.parametrize("days", [0, 8])
async def test_emergency_tokencode_bad_requests(stack: Stack, api: Any, days: int) -> None:
    with pytest.raises(BadRequest) as invalid:
        await api.enable_emergency_tokencode_v1(stack.tenant.user("alice"), days)
    assert_api_error(invalid.value, 400, "BAD_REQUEST", "Invalid expiration date.")
    with pytest.raises(BadRequest) as disabled:
        await api.enable_emergency_tokencode_v1(stack.tenant.user("carol"), 1)
    assert_api_error(disabled.value, 400, "BAD_REQUEST", "User is disabled.")
    nobody = str(uuid.uuid4())
    with pytest.raises(NotFound) as missing:
        await api.enable_emergency_tokencode_v1(nobody, 1)
    assert_api_error(missing.value, 404, "NOT_FOUND", f"User {nobody} not found")


async def test_hardware_token_disable_and_enable(stack: Stack, api: Any) -> None:
    alice = stack.tenant.user("alice")
    disabled = await api.disable_hardware_token(alice, TOKEN_ALICE)
    assert isinstance(disabled, SidTokenStatusResponse)
    assert disabled.model_dump() == {
        "userId": alice,
        "tokenSerialNumber": TOKEN_ALICE,
        "tokenStatus": "Disabled",
        "tokenStatusChangedBy": "super@acme.example",
        "tokenStatusChangedAt": format_timestamp(stack.clock()),
    }
    enabled = await api.enable_hardware_token(alice, TOKEN_ALICE)
    assert enabled.tokenStatus == "Enabled"

    with pytest.raises(Conflict) as elsewhere:
        await api.disable_hardware_token(alice, TOKEN_BOB)
    assert_api_error(
        elsewhere.value,
        409,
        "CONFLICT",
        f"Hardware token {TOKEN_BOB} is not assigned to user {alice}",
    )
    with pytest.raises(NotFound) as missing:
        await api.enable_hardware_token(alice, "no-such-token")
    assert_api_error(missing.value, 404, "NOT_FOUND", "Hardware token no-such-token not found")
    with pytest.raises(BadRequest) as too_long:
        await api.disable_hardware_token(alice, "9" * 37)
    assert too_long.value.status == 400
    assert too_long.value.description.startswith("tokenSerialNumber")


async def test_ds100_disable_and_enable(stack: Stack, api: Any) -> None:
    dave = stack.tenant.user("dave")
    disabled = await api.disable_ds100_otp(dave, DEVICE_DAVE)
    assert [type(c) for c in disabled] == [Ds100CredentialStatus]
    assert (disabled[0].userId, disabled[0].tokenSerialNumber, disabled[0].tokenStatus) == (
        dave,
        CREDENTIAL_DAVE,
        "Disabled",
    )
    assert disabled[0].deviceSerialNumber == DEVICE_DAVE
    enabled = await api.enable_ds100_otp(dave, DEVICE_DAVE)
    assert [c.tokenStatus for c in enabled] == ["Enabled"]

    alice = stack.tenant.user("alice")
    with pytest.raises(NotFound) as not_hers:
        await api.disable_ds100_otp(alice, DEVICE_DAVE)
    assert_api_error(
        not_hers.value,
        404,
        "NOT_FOUND",
        f"DS100 device {DEVICE_DAVE} is not registered to user {alice}",
    )
    with pytest.raises(BadRequest) as short:
        await api.enable_ds100_otp(dave, "1401")
    assert short.value.status == 400


async def test_a_refused_key_is_authentication_failed(stack: Stack, flavour: str) -> None:
    contents = {**key_file_contents(stack), "accessID": str(uuid.uuid4())}
    client = make_client(flavour, contents)
    try:
        with pytest.raises(AuthenticationFailed) as refused:
            await client.lookup_user("alice@acme.example")
    finally:
        await client.aclose()
    assert isinstance(refused.value, Forbidden)
    assert_api_error(
        refused.value, 403, "FORBIDDEN", "Server failed to process provided access token"
    )
    assert refused.value.body["path"] == "/AdminInterface/restapi/v1/users/lookup"
    denied = [e for e in stack.audit_events() if e.event.action == Action.AUTHENTICATE]
    assert [e.event.result for e in denied] == [Result.DENIED]  # tried once, not retried
