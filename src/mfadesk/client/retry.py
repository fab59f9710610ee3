"""When to try a request again, and how long to wait first.

- **429** (the service did not act): always retried, after the service's ``Retry-After``
  (seconds or an HTTP date) plus jitter; if the service asks for more than `max_wait`, the SDK
  gives up at once with `RateLimited` rather than sleep for minutes. While one request waits
  out a 429, the client holds back every other request of the same client too, so a bulk run
  does not keep hammering a limit it already knows about.
- **Connection failures** (nothing was sent): retried with exponential back-off for at most
  `connect_budget` seconds of waiting per call (3 s by default: 4 tries), so that a service
  that is down is reported within seconds rather than after a quarter of a minute.
- **Timeouts, dropped connections, 502/503/504** (the service may have acted): retried only for
  idempotent operations. Issuing an emergency tokencode is not idempotent: each call issues a
  new code and retires the previous one, so the SDK never repeats it on its own.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime

RETRYABLE_GATEWAY_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """`max_attempts` counts the first try; `max_wait` caps any single wait (seconds)."""

    max_attempts: int = 6
    max_wait: float = 60.0
    backoff: float = 0.5  # first back-off after a transport failure; doubles each time
    connect_budget: float = 3.0  # seconds, per call, of waits before new connection attempts
    jitter: float = 0.2  # up to +20 % of each wait, so concurrent clients spread out
    rng: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.max_wait < 0 or self.backoff < 0 or self.jitter < 0 or self.connect_budget < 0:
            raise ValueError("waits and jitter cannot be negative")

    def with_jitter(self, seconds: float) -> float:
        return seconds * (1.0 + self.jitter * self.rng())

    def backoff_delay(self, attempt: int) -> float:
        """The wait after failed attempt number `attempt` (1-based), jittered and capped."""
        return min(self.max_wait, self.with_jitter(self.backoff * 2 ** (attempt - 1)))

    def connect_delay(self, attempt: int) -> float | None:
        """The wait after connection attempt number `attempt` failed, or None once the call
        has spent its `connect_budget` (the earlier back-offs counted at their nominal length,
        before jitter and `max_wait`); the last wait is cut to what is left of the budget."""
        nominal = self.backoff * 2 ** (attempt - 1)
        remaining = self.connect_budget - (nominal - self.backoff)  # = minus the earlier waits
        if remaining <= 0:
            return None
        return min(self.max_wait, self.with_jitter(min(nominal, remaining)))


NO_RETRIES = RetryPolicy(max_attempts=1)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now)
