"""Taking a token from a bucket that every worker process shares through the database."""

from __future__ import annotations

from mfadesk.domain.rate_buckets import Bucket, seconds_until_a_token, take_token
from mfadesk.store.unit_of_work import UnitOfWork


def take_shared_token(
    uow: UnitOfWork, key: str, rate: float, burst: float, now: float
) -> int | None:
    """None if a token was taken, else the seconds until one will be there (Retry-After)."""
    bucket = uow.rate_buckets.lock(key, Bucket(burst, now))
    after, allowed = take_token(bucket, rate, burst, now)
    uow.rate_buckets.save(key, after)
    return None if allowed else seconds_until_a_token(after.tokens, rate)


def forget_full_buckets(uow: UnitOfWork, rate: float, burst: float, now: float) -> int:
    """Drop the buckets that have refilled completely (a new one starts full anyway)."""
    return uow.rate_buckets.forget_older_than(now - burst / rate)
