"""OAuth 2.0 token endpoint bodies (RFC 6749 §5, RFC 8414), shared by the server and the SDK."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

CLIENT_CREDENTIALS = "client_credentials"
JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class TokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    scope: str


class OAuthErrorBody(BaseModel):
    """RFC 6749 §5.2."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    error: str
    error_description: str


class AuthorizationServerMetadata(BaseModel):
    """RFC 8414 §2 (what applies to a client-credentials-only server)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    issuer: str
    token_endpoint: str
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    token_endpoint_auth_signing_alg_values_supported: list[str]
    scopes_supported: list[str]
    response_types_supported: list[str]
