"""Token buckets: per API key, per client-key, and per client IP for refused authentications.

`MemoryBuckets` serves one process; `DatabaseBuckets` shares them through the database, for the
admin API's refused-login buckets of several workers without Redis (a path that writes an audit
record per request anyway); `redis_buckets.RedisBuckets` shares them between all workers in
Redis. The in-memory stores are bounded and forget the least recently used key first.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol

from mfadesk.api.lru import Lru
from mfadesk.domain.rate_buckets import Bucket, seconds_until_a_token, take_token
from mfadesk.observability import metrics
from mfadesk.observability.events import security_event
from mfadesk.services.rate_buckets import forget_full_buckets, take_shared_token
from mfadesk.store.database import Database


class Buckets(Protocol):
    async def take(self, key: str) -> int | None:
        """Take one token: None if allowed, else the seconds to wait (Retry-After)."""
        ...


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
        # Forgetting a bucket refills it: a flood of distinct keys pushes out the idle ones,
        # never the bucket of a key that keeps coming.
        self._state: Lru[str, Bucket] = Lru(max_keys)

    async def take(self, key: str) -> int | None:
        bucket, allowed = take_token(
            self._state.get(key), self._rate, self._burst, self._monotonic()
        )
        self._state.put(key, bucket)
        return None if allowed else seconds_until_a_token(bucket.tokens, self._rate)


class DatabaseBuckets:
    """Buckets in the database's `rate_buckets` table, on the wall clock all workers share. A
    refused key is answered from memory until its Retry-After has passed, so a flood of
    refused requests does not write a row each."""

    PURGE_EVERY = 1000  # takes, per process

    def __init__(
        self,
        db: Database,
        namespace: str,
        rate: float,
        burst: float,
        clock: Callable[[], float] = time.time,
        max_refused: int = 100_000,
    ) -> None:
        self._db = db
        self._namespace = namespace
        self._rate = rate
        self._burst = burst
        self._clock = clock
        self._refused_until: Lru[str, float] = Lru(max_refused)  # forgetting costs a read
        self._takes = 0

    async def take(self, key: str) -> int | None:
        now = self._clock()
        until = self._refused_until.get(key)
        if until is not None:
            if now < until:
                return max(1, math.ceil(until - now))
            self._refused_until.pop(key)
        self._takes += 1
        purge = self._takes % self.PURGE_EVERY == 0
        retry = await self._db.run(self._take, f"{self._namespace}:{key}", now, purge)
        if retry is not None:
            self._refused_until.put(key, now + retry)
        return retry

    def _take(self, key: str, now: float, purge: bool) -> int | None:
        with self._db.unit_of_work() as uow:
            if purge:
                forget_full_buckets(uow, self._rate, self._burst, now)
            return take_shared_token(uow, key, self._rate, self._burst, now)


class CountedBuckets:
    """Buckets whose refusals are counted (the rate-limited requests metric) and logged."""

    def __init__(self, inner: Buckets, limit: str) -> None:
        self._inner = inner
        self._limit = limit

    async def take(self, key: str) -> int | None:
        retry = await self._inner.take(key)
        if retry is not None:
            metrics.rate_limited(self._limit)
            security_event("rate_limited", limit=self._limit, retry_after=retry)
        return retry
