"""Token buckets shared by all workers in Redis, and what happens while Redis is out of reach.

Every bucket is taken by one Lua script, atomically, on the Redis server's clock. Redis is a
helper, not a dependency the service stands on: when it does not answer (down, restarting,
unreachable) every bucket set falls back to the worker's own buckets in memory, each with the
worker's share of the limit (as without Redis), one warning is logged for the outage, and
Redis is tried again after a short pause — by one request, while the others keep to their own
buckets — so an outage costs no request more than one bounded wait (the socket timeouts).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from mfadesk.api.rate_limit import Buckets
from mfadesk.domain.rate_buckets import seconds_until_a_token

# Redis answers a rate-limit script in well under a millisecond; a request waits at most this
# long for it (to connect, then for the answer) before it falls back.
SOCKET_TIMEOUT_SECONDS = 0.5
# How long an outage is answered from memory before one request tries Redis again.
RETRY_AFTER_SECONDS = 1.0

log = logging.getLogger("mfadesk.api")

_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tostring(tokens)}
"""


def connect(url: str) -> Redis:
    """A client whose every call is bounded in time and never retried: the rate limiter
    falls back instead of waiting (redis-py's default retries would multiply the wait)."""
    return Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )


class RedisLink:
    """A deployment's Redis as this worker's bucket sets see it: reachable, or out of reach
    until the next try. One per worker, shared by all its bucket sets (one warning per outage)."""

    def __init__(
        self,
        redis: Redis,
        retry_after: float = RETRY_AFTER_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self._retry_after = retry_after
        self._monotonic = monotonic
        self._next_try: float | None = None  # None: Redis answered last time

    def worth_trying(self) -> bool:
        """Whether this request should ask Redis. During an outage one request per pause does
        (the others are answered from memory meanwhile)."""
        if self._next_try is None:
            return True
        now = self._monotonic()
        if now < self._next_try:
            return False
        self._next_try = now + self._retry_after
        return True

    def failed(self, error: Exception) -> None:
        if self._next_try is None:
            log.warning(
                "Redis is out of reach (%s): rate limits fall back to this worker's own "
                "buckets until it answers again",
                error,
            )
        self._next_try = self._monotonic() + self._retry_after

    def answered(self) -> None:
        if self._next_try is not None:
            log.warning("Redis answers again: rate limits are shared again")
            self._next_try = None


class RedisBuckets:
    """One bucket set (a namespace) in Redis, with the worker's own `fallback` for outages."""

    def __init__(
        self, link: RedisLink, namespace: str, rate: float, burst: float, fallback: Buckets
    ) -> None:
        self._link = link
        self._namespace = namespace
        self._rate = rate
        self._burst = burst
        self._fallback = fallback
        self._script = link.redis.register_script(_TAKE)

    async def take(self, key: str) -> int | None:
        if not self._link.worth_trying():
            return await self._fallback.take(key)
        try:
            allowed, tokens = await self._script(
                keys=[f"mfadesk:{self._namespace}:{key}"], args=[self._rate, self._burst]
            )
        except (RedisError, OSError) as error:
            self._link.failed(error)
            return await self._fallback.take(key)
        self._link.answered()
        if int(allowed) == 1:
            return None
        return seconds_until_a_token(float(tokens), self._rate)
