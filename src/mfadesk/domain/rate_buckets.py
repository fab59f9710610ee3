"""Token-bucket arithmetic (the buckets live in memory, in Redis or in the database)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bucket:
    tokens: float
    at: float  # seconds since the epoch


def take_token(bucket: Bucket | None, rate: float, burst: float, now: float) -> tuple[Bucket, bool]:
    """Refill by `rate` per second up to `burst` (a new bucket starts full), then take one."""
    tokens = burst if bucket is None else bucket.tokens + max(0.0, now - bucket.at) * rate
    tokens = min(burst, tokens)
    if tokens >= 1.0:
        return Bucket(tokens - 1.0, now), True
    return Bucket(tokens, now), False


def seconds_until_a_token(tokens: float, rate: float) -> int:
    """A refused caller's Retry-After."""
    return max(1, math.ceil((1.0 - tokens) / rate))
