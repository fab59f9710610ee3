"""Redis out of reach: the service keeps answering, each worker limits with its own share of
every limit, one warning per outage, and the shared buckets are used again once Redis is back.
With a Redis server of the test's own, stopped and started mid-test."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from mfadesk.api.redis_buckets import RETRY_AFTER_SECONDS
from tests.conftest import Stack, StackFactory
from tests.support.authn import AUTHN, CHALLENGE, FAIL, Agent, add_client_key, email, outcome
from tests.support.redis_server import RedisServer

pytestmark = [
    pytest.mark.redis,
    # Nothing here depends on the database.
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

LOOKUP = {"email": "alice@acme.example"}
OUT_OF_REACH = "Redis is out of reach"
BACK = "Redis answers again"


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


class Probe:
    """One request of each bucket set, answered by its status (or the attempt's outcome)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.agent = Agent(stack, add_client_key(stack))

    def api_key(self) -> int:
        with self.stack.client() as api:
            return api.post("v1/users/lookup", json=LOOKUP).status_code

    def refused_login(self) -> int:
        url = f"{self.stack.admin_base}/v1/users/lookup"
        return httpx.post(url, json=LOOKUP, headers={"Authorization": "Bearer x"}).status_code

    def client_key(self) -> tuple[str, str]:
        return outcome(self.agent.initialize(email("alice")))

    def refused_client_key(self) -> int:
        url = self.stack.server.base_url + AUTHN + "/resources"
        return httpx.get(url, headers={"client-key": "not-a-key"}).status_code

    def each(self) -> tuple[int, int, tuple[str, str], int]:
        return self.api_key(), self.refused_login(), self.client_key(), self.refused_client_key()


def warnings(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(
        text in record.getMessage()
        for record in caplog.records
        if record.name == "mfadesk.api" and record.levelno == logging.WARNING
    )


def test_an_outage_falls_back_to_each_workers_share_until_redis_is_back(
    make_stack: StackFactory, own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="mfadesk.api")
    limits = {"per_second": 0.001, "burst": 4}
    stack = make_stack(
        redis_url=own_redis.url,
        workers=2,  # the fallback's share: a burst of 2
        rate_limit_per_second=limits["per_second"],
        rate_limit_burst=limits["burst"],
        auth_failure_per_second=limits["per_second"],
        auth_failure_burst=limits["burst"],
        authn_rate_limit_per_second=limits["per_second"],
        authn_rate_limit_burst=limits["burst"],
    )
    probe = Probe(stack)
    assert probe.each() == (200, 403, CHALLENGE, 401)
    namespaces = {key.split(b":")[1] for key in own_redis.client().keys("mfadesk:*")}
    assert namespaces == {b"key", b"authfail", b"authn", b"authnfail"}

    own_redis.stop()
    # Every bucket set answers from the worker's own buckets: a burst of 4 / 2 workers.
    assert probe.each() == (200, 403, CHALLENGE, 401)
    assert probe.each() == (200, 403, CHALLENGE, 401)
    assert probe.each() == (429, 429, FAIL, 429)  # throttled initialize: the uniform FAIL
    time.sleep(RETRY_AFTER_SECONDS + 0.2)  # one request tries Redis again, in vain
    assert probe.each() == (429, 429, FAIL, 429)
    assert warnings(caplog, OUT_OF_REACH) == 1
    assert warnings(caplog, BACK) == 0

    own_redis.start()  # empty: every shared bucket starts full again
    time.sleep(RETRY_AFTER_SECONDS + 0.2)
    assert probe.each() == (200, 403, CHALLENGE, 401)
    assert own_redis.client().keys("mfadesk:*")
    assert (warnings(caplog, OUT_OF_REACH), warnings(caplog, BACK)) == (1, 1)


def test_a_redis_that_never_answers_costs_one_bounded_wait(make_stack: StackFactory) -> None:
    with socket.socket() as blackhole:  # accepts connections, never answers
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(64)
        stack = make_stack(redis_url=f"redis://127.0.0.1:{blackhole.getsockname()[1]}/0")
        started = time.monotonic()
        with stack.client() as api:
            statuses = [api.post("v1/users/lookup", json=LOOKUP).status_code for _ in range(10)]
        elapsed = time.monotonic() - started
    assert statuses == [200] * 10
    assert elapsed < 3  # one request waited for Redis (0.5 s), the others did not
