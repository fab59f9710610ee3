"""Which new calls the SDK repeats after a lost answer (the service acted, the answer never
came): those whose repeat answers like the first, and no others."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from mfadesk.client import RetryPolicy, TransportError
from mfadesk.domain.audit import Action, Result
from tests.conftest import Stack
from tests.support.authenticators import set_credential_pin, set_token_pin
from tests.support.sdk import Recorder
from tests.support.tenant import CREDENTIAL_DAVE, DEVICE_DAVE, TOKEN_ALICE, TOKEN_SPARE

FAST_BACKOFF = RetryPolicy(max_attempts=3, backoff=0.01)
Call = Callable[[Any, Stack], Awaitable[Any]]

# A repeat answers 200 like the first call: the SDK tries again and returns the answer.
REPEATED: dict[str, Call] = {
    "set_user_status": lambda api, s: api.set_user_status(s.tenant.user("alice"), "Disabled"),
    "sync_user": lambda api, s: api.sync_user(s.tenant.user("alice")),
    "assign_hardware_token": lambda api, s: api.assign_hardware_token(
        s.tenant.user("alice"), TOKEN_SPARE
    ),
    "clear_hardware_token_pin": lambda api, s: api.clear_hardware_token_pin(
        s.tenant.user("alice"), TOKEN_ALICE
    ),
    "clear_ds100_otp_pin": lambda api, s: api.clear_ds100_otp_pin(
        s.tenant.user("dave"), CREDENTIAL_DAVE
    ),
    "search_users_v2": lambda api, s: api.search_users_v2("acme"),
    "export_admin_logs": lambda api, s: api.export_admin_logs(
        "2000-01-01T00:00:00.000Z", "2100-01-01T00:00:00.000Z"
    ),
}
# A repeat would issue another code, or answer 409/404: the SDK does not repeat them.
NOT_REPEATED: dict[str, tuple[Call, Action]] = {
    "enable_emergency_tokencode_v2": (
        lambda api, s: api.enable_emergency_tokencode_v2(
            s.tenant.user("alice"), expiry_unit="hours", expiry_value=1
        ),
        Action.ENABLE_EMERGENCY_TOKENCODE,
    ),
    "mark_user_deleted": (
        lambda api, s: api.mark_user_deleted(s.tenant.user("carol")),
        Action.MARK_USER_DELETED,
    ),
    "unassign_hardware_token": (
        lambda api, s: api.unassign_hardware_token(s.tenant.user("alice"), TOKEN_ALICE),
        Action.UNASSIGN_HARDWARE_TOKEN,
    ),
    "delete_hardware_token": (
        lambda api, s: api.delete_hardware_token(TOKEN_ALICE),
        Action.DELETE_HARDWARE_TOKEN,
    ),
    "delete_ds100_otp": (
        lambda api, s: api.delete_ds100_otp(s.tenant.user("dave"), DEVICE_DAVE, CREDENTIAL_DAVE),
        Action.DELETE_DS100_OTP,
    ),
}


@pytest.mark.parametrize("name", sorted(REPEATED))
async def test_lost_answer_is_retried(stack: Stack, connect: Any, name: str) -> None:
    set_token_pin(stack, TOKEN_ALICE)
    set_credential_pin(stack, CREDENTIAL_DAVE)
    recorder = Recorder(lose_responses=1)
    api = connect(stack, recorder=recorder, retry=FAST_BACKOFF)
    await REPEATED[name](api, stack)
    assert len(recorder.requests) == 2 and recorder.statuses == [200]


@pytest.mark.parametrize("name", sorted(NOT_REPEATED))
async def test_lost_answer_is_not_repeated(stack: Stack, connect: Any, name: str) -> None:
    call, action = NOT_REPEATED[name]
    recorder = Recorder(lose_responses=1)
    api = connect(stack, recorder=recorder, retry=FAST_BACKOFF)
    with pytest.raises(TransportError) as lost:
        await call(api, stack)
    assert lost.value.request_sent is True
    assert len(recorder.requests) == 1
    applied = [e.event.result for e in stack.audit_events() if e.event.action == action]
    assert applied == [Result.SUCCESS]  # the service acted once; nobody saw its answer
