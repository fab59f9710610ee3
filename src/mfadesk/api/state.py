"""Everything a running app holds, built once at start-up (no import-time singletons)."""

from __future__ import annotations

from dataclasses import dataclass

from mfadesk.api.access_tokens import AccessTokenVerifier
from mfadesk.api.jwt_auth import TokenVerifier
from mfadesk.api.rate_limit import Buckets
from mfadesk.services.context import ServiceEnv
from mfadesk.settings import Settings
from mfadesk.store.database import Database


@dataclass(slots=True)
class AppState:
    settings: Settings
    db: Database
    env: ServiceEnv
    verifier: TokenVerifier
    key_buckets: Buckets
    failure_buckets: Buckets
    authn_buckets: Buckets  # per client-key, on /mfa
    refused_key_buckets: Buckets  # per client IP, refused client-keys on /mfa
    radius_buckets: Buckets  # per RADIUS client (as /mfa per client-key)
    access_tokens: AccessTokenVerifier  # OAuth access tokens on the admin API
