"""A clock the tests move by hand, injected where production code takes a `Clock`."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class MutableClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC).replace(microsecond=0)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta

    def timestamp(self) -> float:
        return self().timestamp()
