"""Retries against the real server: 429 back-off, lost connections, idempotency."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from mfadesk.client import (
    AdminClient,
    AsyncAdminClient,
    ConnectError,
    RateLimited,
    RetryPolicy,
    TransportError,
)
from mfadesk.domain.audit import Action, Result
from tests.conftest import Stack, StackFactory
from tests.support.live_server import free_port
from tests.support.sdk import (
    FleetUser,
    Recorder,
    add_users_with_tokens,
    key_file_contents,
    make_client,
)
from tests.support.tenant import TOKEN_ALICE

FAST_BACKOFF = RetryPolicy(max_attempts=3, backoff=0.01)


def changes(stack: Stack, action: Action) -> list[tuple[str, Result, bool]]:
    return [
        (e.event.target.id, e.event.result, e.event.changed)
        for e in stack.audit_events()
        if e.event.action == action
    ]


async def test_429_is_waited_out_as_the_server_says(make_stack: StackFactory, connect: Any) -> None:
    stack = make_stack(rate_limit_per_second=1, rate_limit_burst=1)
    recorder = Recorder()
    api = connect(stack, recorder=recorder)
    alice = stack.tenant.user("alice")
    started = time.monotonic()
    for _ in range(3):
        await api.disable_hardware_token(alice, TOKEN_ALICE)
        await api.enable_hardware_token(alice, TOKEN_ALICE)
    elapsed = time.monotonic() - started
    # 6 requests at 1/s after a burst of 1: at least 5 s; Retry-After is 1 s, jitter up to 20 %
    assert 5.0 <= elapsed <= 5 * 1.2 + 1.5, elapsed
    assert recorder.statuses.count(200) == 6
    assert set(recorder.statuses) == {200, 429}
    assert api.stats.rate_limited == recorder.statuses.count(429) >= 5
    assert [changed for _, result, changed in changes(stack, Action.DISABLE_HARDWARE_TOKEN)] == [
        True
    ] * 3  # every request applied once: none lost, none doubled


def _spread_load_stack(make_stack: StackFactory) -> tuple[Stack, list[FleetUser]]:
    stack = make_stack(rate_limit_per_second=4, rate_limit_burst=4)
    return stack, add_users_with_tokens(stack, 12)


def _assert_each_applied_once(stack: Stack, fleet: list[FleetUser], elapsed: float) -> None:
    disabled = changes(stack, Action.DISABLE_HARDWARE_TOKEN)
    assert sorted(disabled) == sorted((u.serial, Result.SUCCESS, True) for u in fleet)
    # 12 requests at 4/s after a burst of 4: at least 2 s; generous ceiling for 1 s Retry-After
    assert 2.0 <= elapsed <= 6.0, elapsed


async def test_concurrent_async_calls_share_the_back_off(make_stack: StackFactory) -> None:
    stack, fleet = _spread_load_stack(make_stack)
    targets = [(user.id, user.serial) for user in fleet]
    async with AsyncAdminClient.from_dict(key_file_contents(stack)) as api:
        started = time.monotonic()
        results = await asyncio.gather(
            *(api.disable_hardware_token(user, serial) for user, serial in targets)
        )
        elapsed = time.monotonic() - started
        assert [r.tokenStatus for r in results] == ["Disabled"] * 12
        assert api.stats.rate_limited >= 1
    _assert_each_applied_once(stack, fleet, elapsed)


def test_threads_share_one_sync_client(make_stack: StackFactory) -> None:
    stack, fleet = _spread_load_stack(make_stack)
    targets = [(user.id, user.serial) for user in fleet]
    with AdminClient.from_dict(key_file_contents(stack)) as api, ThreadPoolExecutor(6) as pool:
        started = time.monotonic()
        results = list(pool.map(lambda t: api.disable_hardware_token(*t), targets))
        elapsed = time.monotonic() - started
        assert api.stats.rate_limited >= 1
    assert [r.tokenStatus for r in results] == ["Disabled"] * 12
    _assert_each_applied_once(stack, fleet, elapsed)


async def test_a_long_retry_after_is_not_slept_through(
    make_stack: StackFactory, connect: Any
) -> None:
    stack = make_stack(rate_limit_per_second=0.01, rate_limit_burst=1)
    api = connect(stack, retry=RetryPolicy(max_wait=30))
    await api.lookup_user("alice@acme.example")
    started = time.monotonic()
    with pytest.raises(RateLimited) as limited:
        await api.lookup_user("alice@acme.example")
    assert time.monotonic() - started < 1
    assert limited.value.retry_after == 100
    assert (limited.value.status, limited.value.code, limited.value.description) == (
        429,
        "429 TOO_MANY_REQUESTS",
        "Too many requests.",
    )


async def test_attempts_are_capped(make_stack: StackFactory, connect: Any) -> None:
    stack = make_stack(rate_limit_per_second=0.5, rate_limit_burst=1)
    recorder = Recorder()
    api = connect(stack, recorder=recorder, retry=RetryPolicy(max_attempts=1))
    await api.lookup_user("alice@acme.example")
    with pytest.raises(RateLimited) as limited:
        await api.lookup_user("alice@acme.example")
    assert limited.value.retry_after == 2
    assert recorder.statuses == [200, 429]


async def test_unreachable_service_is_retried_then_connect_error(
    stack: Stack, flavour: str, connect: Any
) -> None:
    port = free_port()  # nobody listens here
    contents = {
        **key_file_contents(stack),
        "adminRestApiUrl": f"http://127.0.0.1:{port}/AdminInterface/restapi/",
    }
    recorder = Recorder()
    api = make_client(flavour, contents, recorder, retry=FAST_BACKOFF)
    try:
        with pytest.raises(ConnectError) as refused:
            # not idempotent, but nothing was sent: retrying cannot issue a second code
            await api.enable_emergency_tokencode_v1(stack.tenant.user("alice"), 1)
    finally:
        await api.aclose()
    assert refused.value.request_sent is False
    assert len(recorder.requests) == 3


def test_connection_failures_are_retried_within_a_budget_of_seconds() -> None:
    """A service that is down is reported after some 3 s of waits, not 15.5 s (17 s jittered)."""
    waits = [RetryPolicy(jitter=0).connect_delay(attempt) for attempt in range(1, 6)]
    assert waits == [0.5, 1.0, 1.5, None, None]
    assert RetryPolicy(connect_budget=0).connect_delay(1) is None
    patient = RetryPolicy(jitter=0, connect_budget=60, max_wait=5)
    assert [patient.connect_delay(a) for a in (1, 4, 6, 8)] == [0.5, 4.0, 5.0, None]


async def test_lost_answer_to_an_idempotent_call_is_retried(stack: Stack, connect: Any) -> None:
    recorder = Recorder(lose_responses=1)
    api = connect(stack, recorder=recorder, retry=FAST_BACKOFF)
    result = await api.disable_hardware_token(stack.tenant.user("alice"), TOKEN_ALICE)
    assert result.tokenStatus == "Disabled"
    assert len(recorder.requests) == 2
    assert changes(stack, Action.DISABLE_HARDWARE_TOKEN) == [
        (TOKEN_ALICE, Result.SUCCESS, True),
        (TOKEN_ALICE, Result.SUCCESS, False),  # the repeat changed nothing
    ]


async def test_lost_answer_to_an_emergency_code_is_not_repeated(stack: Stack, connect: Any) -> None:
    recorder = Recorder(lose_responses=1)
    api = connect(stack, recorder=recorder, retry=FAST_BACKOFF)
    alice = stack.tenant.user("alice")
    with pytest.raises(TransportError) as lost:
        await api.enable_emergency_tokencode_v1(alice, 1)
    assert lost.value.request_sent is True
    assert len(recorder.requests) == 1
    issued = changes(stack, Action.ENABLE_EMERGENCY_TOKENCODE)
    assert [(result, changed) for _, result, changed in issued] == [(Result.SUCCESS, True)]
    # a code exists that nobody saw; the caller issues another one
    assert (await api.lookup_user("alice@acme.example")).emergencyAccessStatus == "Enabled"
