"""The SDK's DS100 lookup, delete and clear-PIN against the real server, sync and async."""

from __future__ import annotations

from typing import Any

import pytest

from mfadesk.client import BadRequest, Forbidden, NotFound
from mfadesk.wire.ds100 import Ds100CredentialDetails, Ds100PinResponse
from tests.conftest import Stack
from tests.support.authenticators import credential, set_credential_pin
from tests.support.sdk import assert_api_error
from tests.support.tenant import CREDENTIAL_DAVE, DEVICE_DAVE


async def test_lookup(stack: Stack, connect: Any) -> None:
    helpdesk = connect(stack, "helpdesk")
    found = await helpdesk.lookup_ds100(DEVICE_DAVE)
    assert [type(c) for c in found] == [Ds100CredentialDetails]
    assert (found[0].userId, found[0].assignedUserEmail, found[0].tokenSerialNumber) == (
        stack.tenant.user("dave"),
        "dave@acme.example",
        CREDENTIAL_DAVE,
    )
    assert (found[0].deviceType, found[0].tokenStatus, found[0].pinSet) == (
        "SecurID DS100",
        "Enabled",
        False,
    )
    with pytest.raises(NotFound) as missing:
        await helpdesk.lookup_ds100("999999999")
    assert_api_error(missing.value, 404, "NOT_FOUND", "DS100 device 999999999 not found")
    with pytest.raises(BadRequest):
        await helpdesk.lookup_ds100("12")


async def test_delete_is_for_super_admins(stack: Stack, connect: Any) -> None:
    api, helpdesk = connect(stack), connect(stack, "helpdesk")
    dave = stack.tenant.user("dave")
    with pytest.raises(Forbidden) as refused:
        await helpdesk.delete_ds100_otp(dave, DEVICE_DAVE, CREDENTIAL_DAVE)
    assert_api_error(
        refused.value,
        403,
        "FORBIDDEN",
        "The Help Desk Admin role is not allowed to delete DS100 OTP credentials.",
    )
    assert credential(stack, CREDENTIAL_DAVE) is not None
    assert await api.delete_ds100_otp(dave, DEVICE_DAVE, CREDENTIAL_DAVE) is None
    assert credential(stack, CREDENTIAL_DAVE) is None
    assert await api.lookup_ds100(DEVICE_DAVE) == []  # the device stays registered
    with pytest.raises(NotFound) as gone:
        await api.delete_ds100_otp(dave, DEVICE_DAVE, CREDENTIAL_DAVE)
    assert_api_error(
        gone.value,
        404,
        "NOT_FOUND",
        f"DS100 OTP credential {CREDENTIAL_DAVE} of device {DEVICE_DAVE} not found",
    )
    alice = stack.tenant.user("alice")
    with pytest.raises(NotFound) as not_hers:
        await api.delete_ds100_otp(alice, DEVICE_DAVE, CREDENTIAL_DAVE)
    assert not_hers.value.description == (
        f"DS100 device {DEVICE_DAVE} is not registered to user {alice}"
    )


async def test_clear_pin(stack: Stack, connect: Any) -> None:
    helpdesk = connect(stack, "helpdesk")
    dave, alice = stack.tenant.user("dave"), stack.tenant.user("alice")
    set_credential_pin(stack, CREDENTIAL_DAVE)
    cleared = await helpdesk.clear_ds100_otp_pin(dave, CREDENTIAL_DAVE)
    assert isinstance(cleared, Ds100PinResponse)
    assert cleared.model_dump() == {
        "userId": dave,
        "tokenSerialNumber": CREDENTIAL_DAVE,
        "pinSet": False,
    }
    assert (await helpdesk.lookup_ds100(DEVICE_DAVE))[0].pinSet is False
    with pytest.raises(NotFound) as not_hers:
        await helpdesk.clear_ds100_otp_pin(alice, CREDENTIAL_DAVE)
    assert_api_error(
        not_hers.value,
        404,
        "NOT_FOUND",
        f"DS100 OTP credential {CREDENTIAL_DAVE} is not registered to user {alice}",
    )
    with pytest.raises(BadRequest):
        await helpdesk.clear_ds100_otp_pin(dave, "123")
