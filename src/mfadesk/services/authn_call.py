"""What every authentication use case receives: the agent's request context and the policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mfadesk.domain.authn_keys import AuthnKey, hash_client_key
from mfadesk.domain.errors import ClientNotAuthenticated
from mfadesk.domain.lockout import LockoutPolicy
from mfadesk.otp.seed_cipher import SeedCipher
from mfadesk.services.context import ServiceEnv

OFFLINE_TICKET_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class AuthnConfig:
    """Built once per process: the lockout policy and the seed cipher (one AES key schedule)."""

    env: ServiceEnv
    lockout: LockoutPolicy
    seeds: SeedCipher
    offline_ticket_lifetime: timedelta = OFFLINE_TICKET_LIFETIME

    @classmethod
    def build(cls, env: ServiceEnv, lockout: LockoutPolicy) -> AuthnConfig:
        return cls(env=env, lockout=lockout, seeds=SeedCipher(env.keys.seed_encryption))


@dataclass(slots=True)
class AuthnCall:
    """One agent request. ``key`` is resolved inside the use case's transaction."""

    config: AuthnConfig
    key_hash: str
    source_ip: str | None
    now: datetime
    key: AuthnKey | None = None

    @classmethod
    def start(cls, config: AuthnConfig, client_key: str, source_ip: str | None) -> AuthnCall:
        return cls(
            config=config,
            key_hash=hash_client_key(client_key),
            source_ip=source_ip,
            now=config.env.clock(),
        )

    @property
    def env(self) -> ServiceEnv:
        return self.config.env

    @property
    def client(self) -> AuthnKey:
        if self.key is None:
            raise ClientNotAuthenticated()
        return self.key
