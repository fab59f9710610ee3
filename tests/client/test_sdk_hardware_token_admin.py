"""The SDK's SID700 lookup, assign, unassign, delete and clear-PIN against the real server,
sync and async, with the errors each maps to."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mfadesk.client import BadRequest, Conflict, Forbidden, NotFound
from mfadesk.domain.clock import format_timestamp
from mfadesk.wire.hardware_tokens import (
    SidTokenAssignmentResponse,
    SidTokenDetailsResponse,
    SidTokenPinResponse,
    SidTokenUnassignmentResponse,
)
from tests.conftest import Stack
from tests.support.authenticators import set_token_pin, token
from tests.support.sdk import assert_api_error
from tests.support.tenant import TOKEN_ALICE, TOKEN_BOB, TOKEN_SPARE


async def test_lookup(stack: Stack, connect: Any) -> None:
    helpdesk = connect(stack, "helpdesk")
    found = await helpdesk.lookup_hardware_token(TOKEN_ALICE)
    assert isinstance(found, SidTokenDetailsResponse)
    assert (found.deviceType, found.tokenStatus, found.userId, found.assignedUserEmail) == (
        "SID700",
        "Enabled",
        stack.tenant.user("alice"),
        "alice@acme.example",
    )
    spare = await helpdesk.lookup_hardware_token(TOKEN_SPARE)
    assert (spare.userId, spare.name, spare.tokenStatus) == (None, None, "Disabled")
    with pytest.raises(NotFound) as missing:
        await helpdesk.lookup_hardware_token("NO-SUCH")
    assert_api_error(missing.value, 404, "NOT_FOUND", "Hardware token NO-SUCH not found")
    with pytest.raises(BadRequest):
        await helpdesk.lookup_hardware_token("")


async def test_assign_then_unassign(stack: Stack, connect: Any) -> None:
    helpdesk = connect(stack, "helpdesk")
    alice = stack.tenant.user("alice")
    assigned = await helpdesk.assign_hardware_token(alice, TOKEN_SPARE, token_name="Alice's spare")
    assert isinstance(assigned, SidTokenAssignmentResponse)
    assert assigned.model_dump() == {
        "userId": alice,
        "tokenSerialNumber": TOKEN_SPARE,
        "tokenState": "Activation Pending",
        "tokenName": "Alice's spare",
        "tokenStatus": "Enabled",
        "tokenStatusChangedBy": "helpdesk@acme.example",
        "tokenStatusChangedAt": format_timestamp(stack.clock()),
    }
    again = await helpdesk.assign_hardware_token(alice, TOKEN_SPARE)  # same user: 200
    assert again.tokenName == "Alice's spare"
    assert [t.tokenSerialNumber for t in (await helpdesk.list_user_devices(alice)).sidTokens] == [
        TOKEN_ALICE,
        TOKEN_SPARE,
    ]

    unassigned = await helpdesk.unassign_hardware_token(alice, TOKEN_SPARE)
    assert isinstance(unassigned, SidTokenUnassignmentResponse)
    assert (unassigned.tokenState, unassigned.tokenStatus) == ("Unassigned", "Disabled")
    assert (await helpdesk.lookup_hardware_token(TOKEN_SPARE)).userId is None
    with pytest.raises(Conflict) as twice:
        await helpdesk.unassign_hardware_token(alice, TOKEN_SPARE)
    assert_api_error(
        twice.value, 409, "CONFLICT", f"Hardware token {TOKEN_SPARE} is not assigned to a user"
    )


async def test_assign_someone_elses_token_is_a_conflict(stack: Stack, api: Any) -> None:
    alice, bob = stack.tenant.user("alice"), stack.tenant.user("bob")
    with pytest.raises(Conflict) as taken:
        await api.assign_hardware_token(alice, TOKEN_BOB)
    assert_api_error(
        taken.value, 409, "CONFLICT", f"Hardware token {TOKEN_BOB} is assigned to another user"
    )
    with pytest.raises(Conflict) as not_hers:
        await api.unassign_hardware_token(alice, TOKEN_BOB)
    assert_api_error(
        not_hers.value,
        409,
        "CONFLICT",
        f"Hardware token {TOKEN_BOB} is not assigned to user {alice}",
    )
    assert (await api.lookup_hardware_token(TOKEN_BOB)).userId == bob  # untouched
    nobody = str(uuid.uuid4())
    with pytest.raises(NotFound) as missing_user:
        await api.assign_hardware_token(nobody, TOKEN_SPARE)
    assert_api_error(missing_user.value, 404, "NOT_FOUND", f"User {nobody} not found")
    with pytest.raises(BadRequest) as long_name:
        await api.assign_hardware_token(alice, TOKEN_SPARE, token_name="x" * 256)
    assert long_name.value.description.startswith("tokenName")


async def test_delete_is_for_super_admins(stack: Stack, connect: Any) -> None:
    api, helpdesk = connect(stack), connect(stack, "helpdesk")
    with pytest.raises(Forbidden) as refused:
        await helpdesk.delete_hardware_token(TOKEN_ALICE)
    assert_api_error(
        refused.value,
        403,
        "FORBIDDEN",
        "The Help Desk Admin role is not allowed to delete hardware tokens.",
    )
    assert token(stack, TOKEN_ALICE) is not None
    deleted = await api.delete_hardware_token(TOKEN_ALICE)
    assert isinstance(deleted, SidTokenDetailsResponse)
    assert (deleted.tokenSerialNumber, deleted.assignedUserEmail) == (
        TOKEN_ALICE,
        "alice@acme.example",
    )
    assert token(stack, TOKEN_ALICE) is None
    with pytest.raises(NotFound) as gone:
        await api.delete_hardware_token(TOKEN_ALICE)
    assert_api_error(gone.value, 404, "NOT_FOUND", f"Hardware token {TOKEN_ALICE} not found")


async def test_clear_pin(stack: Stack, connect: Any) -> None:
    helpdesk = connect(stack, "helpdesk")
    alice = stack.tenant.user("alice")
    set_token_pin(stack, TOKEN_ALICE)
    assert (await helpdesk.lookup_hardware_token(TOKEN_ALICE)).pinSet is True
    cleared = await helpdesk.clear_hardware_token_pin(alice, TOKEN_ALICE)
    assert isinstance(cleared, SidTokenPinResponse)
    assert cleared.model_dump() == {
        "userId": alice,
        "tokenSerialNumber": TOKEN_ALICE,
        "pinSet": False,
    }
    assert (await helpdesk.clear_hardware_token_pin(alice, TOKEN_ALICE)).pinSet is False
    with pytest.raises(Conflict) as not_hers:
        await helpdesk.clear_hardware_token_pin(alice, TOKEN_BOB)
    assert not_hers.value.description == (
        f"Hardware token {TOKEN_BOB} is not assigned to user {alice}"
    )


def test_assign_reply_with_another_token_state_wording_parses() -> None:
    """The cloud service's wording of `tokenState` may differ from ours: the SDK takes any."""
    reply = SidTokenAssignmentResponse.model_validate_json(
        '{"userId": "86beae30-8706-4a41-8b02-d6092ed3f896", "tokenSerialNumber": "000123456789",'
        ' "tokenState": "Activation Completed", "tokenName": "My SecurID Token 789",'
        ' "tokenStatus": "Enabled", "tokenStatusChangedBy": "admin@example.com",'
        ' "tokenStatusChangedAt": "2026-11-22T07:10:00.000Z"}'
    )
    assert reply.tokenState == "Activation Completed"
