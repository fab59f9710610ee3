"""Console sessions: who signed in to the web console, and how long that lasts."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_IDLE_TIMEOUT = timedelta(minutes=15)
DEFAULT_ABSOLUTE_TIMEOUT = timedelta(hours=8)
# A sign-in waiting for a new PIN or the next tokencode lives as long as its attempt would.
PENDING_TIMEOUT = timedelta(minutes=5)
TOKEN_BYTES = 32


class Stage(StrEnum):
    ACTIVE = "active"  # signed in
    CHALLENGED = "challenged"  # password right, the passcode's conversation goes on


@dataclass(frozen=True, slots=True)
class SessionTimeouts:
    idle: timedelta = DEFAULT_IDLE_TIMEOUT
    absolute: timedelta = DEFAULT_ABSOLUTE_TIMEOUT


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    token_hash: str
    admin_id: str
    stage: Stage
    created_at: datetime
    last_seen_at: datetime
    source_ip: str | None = None
    attempt_id: str | None = None
    message_id: str | None = None
    challenge: str | None = None  # the method the pending step asks for
    ended_at: datetime | None = None

    def alive(self, now: datetime, timeouts: SessionTimeouts) -> bool:
        """Not signed out or revoked, and within both timeouts (a pending sign-in: within
        its own short one)."""
        if self.ended_at is not None:
            return False
        if self.stage is Stage.CHALLENGED:
            return now - self.created_at < PENDING_TIMEOUT
        return now - self.last_seen_at < timeouts.idle and now - self.created_at < timeouts.absolute

    def active(self, now: datetime, timeouts: SessionTimeouts) -> bool:
        return self.stage is Stage.ACTIVE and self.alive(now, timeouts)

    def seen(self, now: datetime) -> ConsoleSession:
        return replace(self, last_seen_at=now)


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    """The session's CSRF token, derived from the cookie's secret (nothing more to store): a
    page of another site can neither read the cookie nor compute it."""
    return hmac.new(session_token.encode(), b"mfadesk console csrf", hashlib.sha256).hexdigest()


def csrf_matches(session_token: str, offered: str | None) -> bool:
    return offered is not None and hmac.compare_digest(csrf_token(session_token), offered)
