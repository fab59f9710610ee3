"""The SecurID Authentication API (``/mfa/v1_1``): what agents call to authenticate users.

Its own pipeline (``client-key`` instead of a JWT); the same error mapping principles as the
admin API.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.routing import Route

from mfadesk.api.authn import attempts, offline, resources
from mfadesk.api.authn.client_keys import ClientKeyGate
from mfadesk.api.authn.pipeline import AuthnEndpoint, AuthnRuntime, pipeline
from mfadesk.api.rate_limit import Buckets
from mfadesk.domain.lockout import LockoutPolicy
from mfadesk.services.authn_call import AuthnConfig
from mfadesk.services.context import ServiceEnv
from mfadesk.settings import Settings
from mfadesk.store.database import Database

AUTHN_ENDPOINTS: tuple[AuthnEndpoint, ...] = (
    *attempts.ENDPOINTS,
    *resources.ENDPOINTS,
    *offline.ENDPOINTS,
)


def lockout_policy(settings: Settings) -> LockoutPolicy:
    minutes = settings.authn_lockout_minutes
    return LockoutPolicy(
        max_failures=settings.authn_lockout_failures,
        duration=timedelta(minutes=minutes) if minutes > 0 else None,
        next_tokencode_after=settings.authn_next_tokencode_failures,
    )


def authn_routes(
    settings: Settings, db: Database, env: ServiceEnv, buckets: Buckets, refused_keys: Buckets
) -> list[Route]:
    """The routes, sharing one runtime (lockout policy, seed cipher, the client keys' token
    buckets, the gate with its per-IP buckets of refused keys) built here, once."""
    config = AuthnConfig.build(env, lockout_policy(settings))
    runtime = AuthnRuntime(db, config, buckets, ClientKeyGate(db, refused_keys))
    return [
        Route(e.full_path, pipeline(e, runtime), methods=[e.method], name=e.summary)
        for e in AUTHN_ENDPOINTS
    ]


__all__ = ["AUTHN_ENDPOINTS", "AuthnEndpoint", "authn_routes", "lockout_policy"]
