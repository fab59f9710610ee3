"""A client-key past its token bucket: the attempt conversation answers the uniform FAIL (HTTP
200) without touching the database; resources and offlineData answer 429."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from mfadesk.api.app import create_app
from mfadesk.settings import Settings
from tests.api.test_rate_limits import redis_url
from tests.conftest import Stack, StackFactory
from tests.support.authn import (
    AUTHN,
    CHALLENGE,
    FAIL,
    SUCCESS,
    Agent,
    add_client_key,
    alice_code,
    credentials,
    email,
    logged_events,
    outcome,
)
from tests.support.live_server import LiveServer, free_port
from tests.support.wire import assert_too_many

WRONG = "000000"


def without_ids(answer: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in answer.items() if name != "context"}


@contextmanager
def database_out_of_reach(stack: Stack) -> Iterator[None]:
    """Every use case starts with the key's lookup: without its table any call that reaches
    the database answers 500."""
    with stack.db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE authn_keys RENAME TO authn_keys_away"))
    try:
        yield
    finally:
        with stack.db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE authn_keys_away RENAME TO authn_keys"))


def one_step(agent: Agent, subject: str, value: str) -> dict[str, Any]:
    return agent.initialize(subject, "securid", value)


def test_a_throttled_client_gets_the_uniform_fail_and_the_database_is_not_touched(
    make_stack: StackFactory,
) -> None:
    stack = make_stack(authn_rate_limit_per_second=0.001, authn_rate_limit_burst=5)
    agent = Agent(stack, add_client_key(stack))
    # Five answers with the bucket still full, to compare with.
    opened = agent.initialize(email("alice"))
    assert outcome(opened) == CHALLENGE
    wrong = one_step(agent, email("alice"), WRONG)
    nothing = agent.initialize("nobody@acme.example")
    unknown_status = agent.post("/status", {"authnAttemptId": "no-such-attempt"}).json()
    unknown_cancel = agent.post("/cancel", {"authnAttemptId": "no-such-attempt"}).json()
    events = logged_events(stack)

    with database_out_of_reach(stack):
        right = one_step(agent, email("alice"), alice_code(stack))
        assert without_ids(right) == without_ids(wrong)
        assert right["context"]["authnAttemptId"] != wrong["context"]["authnAttemptId"]
        assert without_ids(agent.initialize(email("alice"))) == without_ids(nothing)
        agent.last = opened
        verified = agent.verify("securid", alice_code(stack))
        assert without_ids(verified) == without_ids(wrong)
        assert verified["context"]["authnAttemptId"] == opened["context"]["authnAttemptId"]
        status = agent.post("/status", {"authnAttemptId": opened["context"]["authnAttemptId"]})
        assert (status.status_code, status.json()) == (200, unknown_status)
        cancelled = agent.post("/cancel", {"authnAttemptId": "no-such-attempt"}).json()
        assert {**cancelled, "context": None} == {**unknown_cancel, "context": None}
        assert cancelled["context"]["authnAttemptId"] == "no-such-attempt"
        # No credential-bearing answer to give: 429.
        assert_too_many(agent.client.get("/resources"))
        assert_too_many(agent.post("/offlineData", {"offlineDataTicket": "t"}))
        assert_too_many(agent.client.post("/initialize", content=b"{not json"))
        assert_too_many(agent.post("/verify", {"context": {}}))

    assert logged_events(stack) == events
    # The throttled verify neither ended nor spent the attempt: another key (its own bucket)
    # completes it with the same code.
    other = Agent(stack, add_client_key(stack, "other"))
    other.last = opened
    assert outcome(other.verify("SECURID", alice_code(stack))) == SUCCESS


def test_throttling_is_per_client_key(make_stack: StackFactory) -> None:
    stack = make_stack(authn_rate_limit_per_second=0.001, authn_rate_limit_burst=2)
    busy, calm = (Agent(stack, add_client_key(stack, name)) for name in ("busy", "calm"))
    for _ in range(2):
        assert outcome(busy.initialize(email("alice"))) == CHALLENGE
    assert outcome(busy.initialize(email("alice"))) == FAIL
    assert outcome(calm.initialize(email("alice"))) == CHALLENGE
    # A key nobody knows is refused as ever while its bucket lasts.
    unknown = httpx.post(
        stack.server.base_url + AUTHN + "/initialize",
        json={"subjectName": email("alice"), "context": {"messageId": "m"}},
        headers={"client-key": "not-a-key"},
    )
    assert unknown.status_code == 401


def test_the_default_limits_leave_a_busy_agent_alone(stack: Stack) -> None:
    agent = Agent(stack, add_client_key(stack))
    body = {
        "subjectName": email("alice"),
        "subjectCredentials": credentials("SECURID", WRONG),
        "context": {"messageId": "m"},
    }
    # More than the default burst of 400, as fast as one connection goes.
    for _ in range(420):
        answer = agent.post("/initialize", {**body, "context": {"messageId": str(uuid.uuid4())}})
        assert answer.status_code == 200
    assert len(logged_events(stack)) == 420  # every one reached the database


def test_limits_come_from_the_environment() -> None:
    defaults = Settings.from_env({})
    assert (defaults.authn_rate_limit_per_second, defaults.authn_rate_limit_burst) == (200, 400)
    configured = Settings.from_env(
        {"MFADESK_AUTHN_RATE_LIMIT_PER_SECOND": "5", "MFADESK_AUTHN_RATE_LIMIT_BURST": "10"}
    )
    assert (configured.authn_rate_limit_per_second, configured.authn_rate_limit_burst) == (5, 10)


@pytest.mark.redis
def test_redis_buckets_are_shared_by_all_workers(make_stack: StackFactory) -> None:
    first = make_stack(
        redis_url=redis_url(), authn_rate_limit_per_second=0.001, authn_rate_limit_burst=2
    )
    key = add_client_key(first)
    with LiveServer(create_app(first.settings, first.env), free_port()) as second:
        agent = Agent(first, key)
        for _ in range(2):
            assert outcome(agent.initialize(email("alice"))) == CHALLENGE
        response = httpx.post(
            f"{second.base_url}{AUTHN}/initialize",
            json={"subjectName": email("alice"), "context": {"messageId": "m"}},
            headers={"client-key": key},
        )
    assert response.status_code == 200
    assert outcome(response.json()) == FAIL
