"""SecurID credentials as the verifier sees them, and the rules of their verification state.

A SID700 token and a DS100 OTP credential verify alike: a 128-bit AES time-based tokencode, a
clock offset learned on success, the last accepted interval (nothing at or before it is accepted
again), and consecutive failures that lock the credential for a while.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from mfadesk.domain.lockout import Lockout, LockoutPolicy
from mfadesk.domain.pins import StoredPin

# Codes within ±1 interval of the token's learned clock are accepted at once; up to ±3 the
# token has drifted, and the user must prove it with the next consecutive tokencode.
AUTO_WINDOW = 1
NEXT_TOKENCODE_WINDOW = 3


class CredentialKind(StrEnum):
    SID700 = "SID700"
    DS100 = "DS100"


@dataclass(frozen=True, slots=True)
class VerificationState:
    offset: int = 0  # intervals between the token's clock and ours
    last_interval: int | None = None
    lockout: Lockout = field(default_factory=Lockout)

    def current(self, now: datetime) -> VerificationState:
        return replace(self, lockout=self.lockout.current(now))

    def locked(self, now: datetime, policy: LockoutPolicy) -> bool:
        return self.lockout.locked(now, policy)

    def needs_next_tokencode(self, policy: LockoutPolicy) -> bool:
        return self.lockout.failures >= policy.next_tokencode_after

    def accepts_interval(self, interval: int) -> bool:
        """Replay protection: only intervals after the last one used."""
        return self.last_interval is None or interval > self.last_interval

    def after_failure(self, now: datetime, policy: LockoutPolicy) -> VerificationState:
        return replace(self, lockout=self.lockout.after_failure(now, policy))

    def after_consumed(self, interval: int) -> VerificationState:
        """A code spent on a step that is not yet a success is never accepted again."""
        last = interval if self.last_interval is None else max(self.last_interval, interval)
        return replace(self, last_interval=last)

    def after_success(self, interval: int, now_interval: int) -> VerificationState:
        """Learn the token's clock from the interval it showed; failures are forgiven."""
        return VerificationState(offset=interval - now_interval, last_interval=interval)


@dataclass(frozen=True, slots=True)
class SecurIdCredential:
    """An enabled SID700 token or DS100 OTP credential of one user, with its encrypted seed
    and its PIN's digest (None: no PIN)."""

    kind: CredentialKind
    serial: str
    seed_ciphertext: bytes | None = field(repr=False)
    digits: int
    interval_seconds: int
    expiry_date: date | None
    state: VerificationState
    pin: StoredPin | None = None

    def usable(self, today: date) -> bool:
        return self.seed_ciphertext is not None and (
            self.expiry_date is None or today <= self.expiry_date
        )
