"""Injected sources of time and randomness, so rules and tests never reach for globals."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The wall clock, timezone-aware UTC."""
    return datetime.now(UTC)


class RandomSource(Protocol):
    """Where identifiers, codes and salts come from."""

    def token_bytes(self, n: int) -> bytes: ...

    def uuid4(self) -> str: ...


class SystemRandom:
    """CSPRNG-backed randomness."""

    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)

    def uuid4(self) -> str:
        return str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))


def uuid7_batch(random: RandomSource, now: datetime, count: int) -> list[str]:
    """`count` time-ordered UUIDs (version 7, RFC 9562) of the millisecond `now`, in
    ascending order: rows inserted in that order go to the end of an index on them instead
    of all over it (bulk imports). 74 random bits each, from one draw of `random`."""
    stamp = f"{int(now.timestamp() * 1000) & (1 << 48) - 1:012x}"
    head = f"{stamp[:8]}-{stamp[8:]}-7"
    digits = random.token_bytes(10 * count).hex()
    variant = "89ab"
    return sorted(
        f"{head}{digits[at : at + 3]}-{variant[int(digits[at + 3], 16) & 3]}"
        f"{digits[at + 4 : at + 7]}-{digits[at + 7 : at + 19]}"
        for at in range(0, 20 * count, 20)
    )


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds, as the wire wants: ``2026-11-22T07:10:00.000Z``."""
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
