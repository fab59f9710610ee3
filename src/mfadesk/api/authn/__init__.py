"""The SecurID Authentication API (``/mfa/v1_1``): what agents call to authenticate users.

Its own pipeline (``client-key`` instead of a JWT); the same error mapping principles as the
admin API.
"""

from __future__ import annotations

from starlette.routing import Route

from mfadesk.api.authn import attempts, offline, resources
from mfadesk.api.authn.pipeline import AuthnEndpoint, AuthnRuntime, pipeline

AUTHN_ENDPOINTS: tuple[AuthnEndpoint, ...] = (
    *attempts.ENDPOINTS,
    *resources.ENDPOINTS,
    *offline.ENDPOINTS,
)


def authn_routes(runtime: AuthnRuntime) -> list[Route]:
    return [
        Route(e.full_path, pipeline(e, runtime), methods=[e.method], name=e.summary)
        for e in AUTHN_ENDPOINTS
    ]


__all__ = ["AUTHN_ENDPOINTS", "AuthnEndpoint", "AuthnRuntime", "authn_routes"]
