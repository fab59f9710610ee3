"""What every authentication use case receives: the agent's request context and the policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mfadesk.domain.authn_agents import Agent, AgentRef, Transport
from mfadesk.domain.authn_keys import hash_client_key
from mfadesk.domain.errors import ClientNotAuthenticated
from mfadesk.domain.lockout import LockoutPolicy
from mfadesk.domain.securid_credentials import CredentialKind, SecurIdCredential, VerificationState
from mfadesk.otp.seed_cipher import SeedCipher
from mfadesk.services.context import ServiceEnv

OFFLINE_TICKET_LIFETIME = timedelta(minutes=5)
DECOY_SERIAL = "000000000000"


@dataclass(frozen=True, slots=True)
class AuthnConfig:
    """Built once per process: the lockout policy, the seed cipher (one AES key schedule) and
    the decoy credential (a random seed nobody holds, encrypted like a real one) that a check
    with no credential to look at verifies instead, so that it takes as long as a real one."""

    env: ServiceEnv
    lockout: LockoutPolicy
    seeds: SeedCipher
    decoy: SecurIdCredential
    offline_ticket_lifetime: timedelta = OFFLINE_TICKET_LIFETIME

    @classmethod
    def build(cls, env: ServiceEnv, lockout: LockoutPolicy) -> AuthnConfig:
        seeds = SeedCipher(env.keys.seed_encryption)
        decoy = SecurIdCredential(
            kind=CredentialKind.SID700,
            serial=DECOY_SERIAL,
            seed_ciphertext=seeds.encrypt(DECOY_SERIAL, env.random.token_bytes(16)),
            digits=6,
            interval_seconds=60,
            expiry_date=None,
            state=VerificationState(),
        )
        return cls(env=env, lockout=lockout, seeds=seeds, decoy=decoy)


@dataclass(slots=True)
class AuthnCall:
    """One agent request. ``key`` (the agent) is resolved inside the use case's transaction."""

    config: AuthnConfig
    agent: AgentRef
    source_ip: str | None
    now: datetime
    key: Agent | None = None

    @classmethod
    def start(cls, config: AuthnConfig, client_key: str, source_ip: str | None) -> AuthnCall:
        """A REST call, by its ``client-key``."""
        return cls(
            config=config,
            agent=AgentRef(Transport.REST, hash_client_key(client_key)),
            source_ip=source_ip,
            now=config.env.clock(),
        )

    @classmethod
    def radius(cls, config: AuthnConfig, client_id: str, source_ip: str | None) -> AuthnCall:
        """A RADIUS Access-Request, by the configured client it came from."""
        return cls(
            config=config,
            agent=AgentRef(Transport.RADIUS, client_id),
            source_ip=source_ip,
            now=config.env.clock(),
        )

    @classmethod
    def console(cls, config: AuthnConfig, company_id: str, source_ip: str | None) -> AuthnCall:
        """A console sign-in, for an administrator of the company."""
        return cls(
            config=config,
            agent=AgentRef(Transport.CONSOLE, company_id),
            source_ip=source_ip,
            now=config.env.clock(),
        )

    @property
    def key_hash(self) -> str:
        """The SHA-256 of a REST call's ``client-key``."""
        assert self.agent.transport is Transport.REST
        return self.agent.ref

    @property
    def env(self) -> ServiceEnv:
        return self.config.env

    @property
    def client(self) -> Agent:
        if self.key is None:
            raise ClientNotAuthenticated()
        return self.key
