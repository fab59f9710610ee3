"""What every use case receives: process-wide dependencies and the calling administrator."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from mfadesk.domain.admins import Admin
from mfadesk.domain.audit import Action, Target
from mfadesk.domain.clock import Clock, RandomSource, SystemRandom, system_clock
from mfadesk.domain.console_sessions import SessionTimeouts
from mfadesk.otp.emergency import DEFAULT_OFFLINE_COST_LOG2
from mfadesk.otp.secret_key import ServerKeys


@dataclass(frozen=True, slots=True)
class ServiceEnv:
    """Dependencies injected once per process (clock and randomness included, for tests)."""

    keys: ServerKeys
    clock: Clock = system_clock
    random: RandomSource = field(default_factory=SystemRandom)
    offline_cost_log2: int = DEFAULT_OFFLINE_COST_LOG2
    # Slow hashing runs here, never in a transaction or on the event loop (scrypt releases
    # the GIL).
    hashing: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(
            max_workers=os.cpu_count() or 2, thread_name_prefix="mfadesk-hash"
        )
    )


@dataclass(slots=True)
class Call:
    """One administrator's request. The use case fills in what it is about as it learns it.

    `access_id` is the legacy API key's accessID, or the OAuth client's id when the bearer was
    an OAuth access token (then `token_hash` is that token's SHA-256)."""

    env: ServiceEnv
    access_id: str
    source_ip: str | None
    now: datetime
    action: Action | None = None
    target: Target | None = None
    actor: Admin | None = None
    token_hash: str | None = None
    # A console request: the SHA-256 of its session cookie, and how long sessions last.
    session_hash: str | None = None
    session_timeouts: SessionTimeouts | None = None

    @classmethod
    def start(
        cls, env: ServiceEnv, access_id: str, source_ip: str | None, token_hash: str | None = None
    ) -> Call:
        return cls(
            env=env,
            access_id=access_id,
            source_ip=source_ip,
            now=env.clock(),
            token_hash=token_hash,
        )
