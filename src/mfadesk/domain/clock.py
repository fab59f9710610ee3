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


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds, as the wire wants: ``2026-11-22T07:10:00.000Z``."""
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
