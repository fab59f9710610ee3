"""Consecutive failures of one credential, and the lock they lead to."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """How failures are answered (defaults are ours; see docs/decisions.md)."""

    max_failures: int = 10
    # None: a locked credential stays locked until an administrator enables it again.
    duration: timedelta | None = timedelta(minutes=15)
    # After this many consecutive failures a right SecurID code must be confirmed by the next one.
    next_tokencode_after: int = 3

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.next_tokencode_after < 1:
            raise ValueError("failure thresholds must be at least 1")


@dataclass(frozen=True, slots=True)
class Lockout:
    failures: int = 0
    locked_until: datetime | None = None

    def current(self, now: datetime) -> Lockout:
        """A lock whose time has passed is over, and so are the failures that caused it."""
        if self.locked_until is not None and self.locked_until <= now:
            return Lockout()
        return self

    def locked(self, now: datetime, policy: LockoutPolicy) -> bool:
        """Locked once the failures reach the limit, until the lock time (if any) has passed."""
        if self.failures < policy.max_failures:
            return False
        return self.locked_until is None or now < self.locked_until

    def after_failure(self, now: datetime, policy: LockoutPolicy) -> Lockout:
        current = self.current(now)
        failures = current.failures + 1
        if failures < policy.max_failures or policy.duration is None:
            return replace(current, failures=failures)
        return Lockout(failures=failures, locked_until=now + policy.duration)
