"""The OAuth 2.0 authorization server of the admin API: the token endpoint and its metadata
(RFC 8414), under the issuer ``<public URL>/oauth``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mfadesk.api.audience import UrlMatcher
from mfadesk.api.oauth.assertions import SIGNING_ALGORITHMS, AssertionVerifier
from mfadesk.api.oauth.token import TokenEndpoint
from mfadesk.api.responses import json_response
from mfadesk.domain.oauth_clients import KNOWN_SCOPES
from mfadesk.wire.oauth import CLIENT_CREDENTIALS, AuthorizationServerMetadata

if TYPE_CHECKING:
    from mfadesk.api.state import AppState

OAUTH_BASE = "/oauth"
TOKEN_PATH = OAUTH_BASE + "/token"
METADATA_SUFFIX = "/.well-known/oauth-authorization-server"


def issuer_of(public_url: str) -> str:
    return public_url.rstrip("/") + OAUTH_BASE


def metadata(public_url: str) -> AuthorizationServerMetadata:
    issuer = issuer_of(public_url)
    return AuthorizationServerMetadata(
        issuer=issuer,
        token_endpoint=issuer + "/token",
        grant_types_supported=[CLIENT_CREDENTIALS],
        token_endpoint_auth_methods_supported=["private_key_jwt"],
        token_endpoint_auth_signing_alg_values_supported=list(SIGNING_ALGORITHMS),
        scopes_supported=list(KNOWN_SCOPES),
        response_types_supported=[],  # no authorization endpoint: client credentials only
    )


def oauth_routes(state: AppState) -> list[BaseRoute]:
    """``POST /oauth/token`` and the metadata at both RFC 8414 places."""
    public_url = state.settings.effective_public_url()
    issuer = issuer_of(public_url)
    verifier = AssertionVerifier(UrlMatcher([issuer, issuer + "/token"]), state.env.clock)
    document = json_response(metadata(public_url)).body

    async def serve_metadata(request: Request) -> Response:
        return Response(document, media_type="application/json")

    return [
        Route(
            TOKEN_PATH, TokenEndpoint(state, verifier).answer, methods=["POST"], name="oauth-token"
        ),
        Route(OAUTH_BASE + METADATA_SUFFIX, serve_metadata, methods=["GET"], name="oauth-meta"),
        Route(
            METADATA_SUFFIX + OAUTH_BASE, serve_metadata, methods=["GET"], name="oauth-meta-8414"
        ),
    ]
