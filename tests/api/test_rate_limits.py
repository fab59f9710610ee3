"""429 with the contract body and Retry-After: per API key, and per IP for failed logins."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
import redis

from mfadesk.api.app import create_app
from mfadesk.api.rate_limit import DatabaseBuckets, MemoryBuckets
from mfadesk.domain.rate_buckets import Bucket
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from tests.conftest import Stack, StackFactory
from tests.support.databases import unavailable
from tests.support.live_server import LiveServer, free_port
from tests.support.tenant import TOKEN_ALICE
from tests.support.wire import assert_auth_failure, assert_too_many

REDIS_URL = os.environ.get("MFADESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# Every admin endpoint: (method, path template, body)
ENDPOINTS = [
    ("POST", "v1/users/lookup", {"email": "alice@acme.example"}),
    ("PUT", "v1/users/{alice}/emergencyTokencode", {"expirationDays": "1"}),
    ("DELETE", "v1/users/{alice}/emergencyTokencode/{eac}", None),
    ("PATCH", "v1/users/{alice}/sidTokens/disable", {"tokenSerialNumber": TOKEN_ALICE}),
    ("PATCH", "v1/users/{alice}/sidTokens/enable", {"tokenSerialNumber": TOKEN_ALICE}),
    ("PATCH", "v1/ds100/disable/otp", {"deviceSerialNumber": "140100080", "userId": "{dave}"}),
    ("PATCH", "v1/ds100/enable/otp", {"deviceSerialNumber": "140100080", "userId": "{dave}"}),
    ("DELETE", "v1/users/{alice}", None),
]


def redis_url() -> str:
    try:
        client = redis.Redis.from_url(REDIS_URL)
        client.ping()
        client.close()
    except redis.RedisError as error:
        unavailable("Redis", error)
    return REDIS_URL


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_every_endpoint_answers_429_past_the_key_limit(
    make_stack: StackFactory, method: str, path: str, body: dict[str, str] | None
) -> None:
    stack = make_stack(rate_limit_per_second=0.01, rate_limit_burst=2)
    ids = {
        "alice": stack.tenant.user("alice"),
        "dave": stack.tenant.user("dave"),
        "eac": str(uuid.uuid4()),
    }
    url = path.format(**ids)
    json = None if body is None else {k: v.format(**ids) for k, v in body.items()}
    with stack.client() as api:
        for _ in range(2):
            assert api.request(method, url, json=json).status_code != 429
        limited = api.request(method, url, json=json)
    assert_too_many(limited)
    assert int(limited.headers["retry-after"]) == 100  # one token at 0.01/s
    with stack.client("helpdesk") as other:  # one busy key never slows another
        assert other.request(method, url, json=json).status_code != 429


def test_failed_authentications_are_limited_per_client_ip(make_stack: StackFactory) -> None:
    stack = make_stack(auth_failure_per_second=0.01, auth_failure_burst=5)
    url = f"{stack.admin_base}/v1/users/lookup"
    bad = {"Authorization": "Bearer not.a.jwt"}
    for _ in range(5):
        assert_auth_failure(httpx.post(url, json={"email": "x@y"}, headers=bad))
    assert_too_many(httpx.post(url, json={"email": "x@y"}, headers=bad))
    with stack.client() as api:  # a valid key from the same address still gets through
        assert api.post("v1/users/lookup", json={"email": "alice@acme.example"}).status_code == 200


def test_default_failure_budget_tolerates_honest_mistakes(stack: Stack) -> None:
    url = f"{stack.admin_base}/v1/users/lookup"
    for _ in range(50):
        assert_auth_failure(httpx.post(url, json={}, headers={"Authorization": "Bearer x"}))


async def test_memory_bucket_refills_at_the_configured_rate() -> None:
    now = [0.0]
    buckets = MemoryBuckets(rate=2.0, burst=3, monotonic=lambda: now[0])
    assert [await buckets.take("k") for _ in range(3)] == [None, None, None]
    assert await buckets.take("k") == 1
    now[0] += 0.5  # one token back at 2/s
    assert await buckets.take("k") is None
    assert await buckets.take("other") is None


@pytest.mark.redis
def test_redis_buckets_are_shared_by_all_workers(make_stack: StackFactory) -> None:
    url = redis_url()
    first = make_stack(redis_url=url, rate_limit_per_second=0.01, rate_limit_burst=3)
    lookup = {"email": "alice@acme.example"}
    # A second app over the same database and Redis: another worker of the same deployment.
    with LiveServer(create_app(first.settings, first.env), free_port()) as second:
        with first.client() as api:
            assert [api.post("v1/users/lookup", json=lookup).status_code for _ in range(3)] == [
                200
            ] * 3
        headers = {"Authorization": f"Bearer {first.jwt()}"}
        limited = httpx.post(
            f"{second.base_url}/AdminInterface/restapi/v1/users/lookup",
            json=lookup,
            headers=headers,
        )
    assert_too_many(limited)


async def test_database_buckets_are_shared_refill_and_answer_refusals_from_memory(
    database_url: str,
) -> None:
    db = Database(database_url)
    upgrade(db.engine)
    now = [1_700_000_000.0]
    # Two workers' buckets over one database.
    first, second = (DatabaseBuckets(db, "t", 2.0, 3, clock=lambda: now[0]) for _ in range(2))
    try:
        taken = [await first.take("ip"), await second.take("ip"), await first.take("ip")]
        assert taken == [None, None, None]
        assert await second.take("ip") == 1
        with db.unit_of_work() as uow:  # refilled behind `second`'s back
            uow.rate_buckets.save("t:ip", Bucket(3.0, now[0]))
        assert await second.take("ip") == 1  # answered from memory until its Retry-After
        assert await first.take("ip") is None  # `first` was never refused: it reads the row
        now[0] += 1.0
        assert await second.take("ip") is None
        assert await first.take("other") is None
    finally:
        db.close()


def test_several_workers_share_the_failure_budget_and_each_allows_the_whole_burst(
    make_stack: StackFactory,
) -> None:
    """Two workers without Redis: a client on one connection (one worker) gets the default
    burst of failures, and the deployment as a whole never allows more than that burst."""
    # Next to no refill while it runs: every refused login now waits for its audit record's
    # fsync, and a second's refill (the default 1/s) would grant one more failure.
    stack = make_stack(workers=2, auth_failure_per_second=0.001)
    burst = int(stack.settings.auth_failure_burst)
    bad = {"Authorization": "Bearer not.a.jwt"}
    with LiveServer(create_app(stack.settings, stack.env), free_port()) as second:
        with httpx.Client(base_url=stack.admin_base, headers=bad) as one_connection:
            for _ in range(50):
                assert_auth_failure(one_connection.post("/v1/users/lookup", json={}))
        other = f"{second.base_url}/AdminInterface/restapi/v1/users/lookup"
        for _ in range(burst - 50):
            assert_auth_failure(httpx.post(other, json={}, headers=bad))
        assert_too_many(httpx.post(other, json={}, headers=bad))
