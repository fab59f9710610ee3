"""Token buckets: per API key, and per client IP for failed authentications.

`MemoryBuckets` serves one process; `RedisBuckets` shares the buckets between all workers of a
deployment (atomic Lua script on the Redis server's clock).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis


class Buckets(Protocol):
    async def take(self, key: str) -> int | None:
        """Take one token: None if allowed, else the seconds to wait (Retry-After)."""
        ...


def retry_after(tokens: float, rate: float) -> int:
    return max(1, math.ceil((1.0 - tokens) / rate))


class MemoryBuckets:
    def __init__(
        self,
        rate: float,
        burst: float,
        monotonic: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self._rate = rate
        self._burst = burst
        self._monotonic = monotonic
        self._state: dict[str, tuple[float, float]] = {}
        self._max_keys = max_keys

    async def take(self, key: str) -> int | None:
        now = self._monotonic()
        tokens, last = self._state.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        if tokens >= 1.0:
            self._remember(key, tokens - 1.0, now)
            return None
        self._remember(key, tokens, now)
        return retry_after(tokens, self._rate)

    def _remember(self, key: str, tokens: float, now: float) -> None:
        if len(self._state) >= self._max_keys and key not in self._state:
            # A flood of distinct keys: forgetting refills buckets, it never blocks wrongly.
            self._state.clear()
        self._state[key] = (tokens, now)


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


class RedisBuckets:
    def __init__(self, redis: Redis, namespace: str, rate: float, burst: float) -> None:
        self._redis = redis
        self._namespace = namespace
        self._rate = rate
        self._burst = burst
        self._script = redis.register_script(_TAKE)

    async def take(self, key: str) -> int | None:
        allowed, tokens = await self._script(
            keys=[f"mfadesk:{self._namespace}:{key}"], args=[self._rate, self._burst]
        )
        if int(allowed) == 1:
            return None
        return retry_after(float(tokens), self._rate)
