"""OAuth 2.0 API clients: the private JWK, the ``private_key_jwt`` assertions signed with it,
and the access tokens fetched with them and renewed before they expire.

A client's file is its private JWK (RSA or EC P-256) carrying two more members, ``client_id``
and ``issuer``, as ``mfadesk oauth-client add`` writes it (a JWK's unknown members are
ignored by JOSE libraries, so the same file also serves the PyPI ``pydplus`` client). Both
may be given as arguments instead.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import jwt
from pydantic import ValidationError

from mfadesk.client.credentials import Clock
from mfadesk.client.errors import (
    ApiError,
    AuthenticationFailed,
    BadRequest,
    KeyFileError,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from mfadesk.wire.oauth import CLIENT_CREDENTIALS, JWT_BEARER_ASSERTION, TokenResponse

OAUTH_CLIENT_FILE_ENV = "MFADESK_OAUTH_CLIENT_FILE"
ASSERTION_LIFETIME = 300
DEFAULT_RENEW_BEFORE = 60.0
_ALGORITHMS = {"RSA": "RS256", "EC": "ES256"}


def admin_url_of(issuer: str) -> str:
    """The admin API beside an issuer ``<base>/oauth``: ``<base>/AdminInterface/restapi/``
    (on the cloud service's ``*.auth.*`` host, its ``*.access.*`` twin)."""
    parts = urlsplit(issuer.rstrip("/"))
    host = parts.netloc.replace(".auth.", ".access.", 1)
    base = parts.path.removesuffix("/oauth")
    return urlunsplit((parts.scheme, host, base + "/AdminInterface/restapi/", "", ""))


@dataclass(frozen=True, slots=True)
class OAuthCredentials:
    """A client's id, issuer and signing key. The key never appears in `repr`."""

    client_id: str
    issuer: str
    admin_rest_api_url: str
    algorithm: str
    key_id: str | None
    signing_key: Any = field(repr=False)

    @property
    def token_endpoint(self) -> str:
        return self.issuer.rstrip("/") + "/token"

    @classmethod
    def from_jwk(
        cls,
        jwk: Mapping[str, Any],
        client_id: str | None = None,
        issuer: str | None = None,
        admin_url: str | None = None,
    ) -> OAuthCredentials:
        client_id = client_id or jwk.get("client_id")
        issuer = issuer or jwk.get("issuer")
        if not isinstance(client_id, str) or not client_id:
            raise KeyFileError("no client_id: give it, or put it in the JWK file")
        if not isinstance(issuer, str) or not issuer.startswith(("https://", "http://")):
            raise KeyFileError("no http(s) issuer: give it, or put it in the JWK file")
        if "d" not in jwk:
            raise KeyFileError("the JWK holds no private key")
        algorithm = jwk.get("alg") or _ALGORITHMS.get(str(jwk.get("kty")))
        if algorithm not in ("RS256", "ES256"):
            raise KeyFileError("the JWK is not an RSA (RS256) or EC P-256 (ES256) key")
        try:
            key = jwt.PyJWK.from_dict(dict(jwk), algorithm).key
        except jwt.PyJWTError as error:
            raise KeyFileError(f"not a usable JWK: {error}") from None
        kid = jwk.get("kid")
        return cls(
            client_id=client_id,
            issuer=issuer.rstrip("/"),
            admin_rest_api_url=admin_url or admin_url_of(issuer),
            algorithm=algorithm,
            key_id=kid if isinstance(kid, str) else None,
            signing_key=key,
        )

    @classmethod
    def from_jwk_file(
        cls,
        path: str | os.PathLike[str],
        client_id: str | None = None,
        issuer: str | None = None,
        admin_url: str | None = None,
    ) -> OAuthCredentials:
        try:
            contents = json.loads(Path(path).read_bytes())
        except OSError as error:
            raise KeyFileError(f"cannot read JWK file {path}: {error.strerror}") from None
        except ValueError:
            raise KeyFileError(f"JWK file {path} is not JSON") from None
        if not isinstance(contents, dict):
            raise KeyFileError(f"JWK file {path} is not a JSON object")
        try:
            return cls.from_jwk(contents, client_id, issuer, admin_url)
        except KeyFileError as error:
            raise KeyFileError(f"JWK file {path}: {error}") from None

    def assertion(self, now: int) -> str:
        """A fresh ``private_key_jwt`` client assertion (RFC 7523 §3), unique by its jti."""
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_endpoint,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            "jti": str(uuid.uuid4()),
        }
        headers = {"kid": self.key_id} if self.key_id else None
        return jwt.encode(claims, self.signing_key, algorithm=self.algorithm, headers=headers)


class AccessTokens:
    """The client's current access token: fetched when there is none (or it is about to
    expire) by the client that uses it, through `request` and `accept`."""

    def __init__(
        self,
        credentials: OAuthCredentials,
        *,
        scopes: str | None = None,
        renew_before: float = DEFAULT_RENEW_BEFORE,
        clock: Clock = time.time,
    ) -> None:
        self._credentials = credentials
        self._scopes = scopes
        self._renew_before = renew_before
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.fetched = 0  # tokens fetched so far

    def current(self) -> str | None:
        """The token to send, or None when a new one must be fetched first."""
        with self._lock:
            if self._token is not None and self._clock() < self._expires_at - self._renew_before:
                return self._token
            return None

    def forget(self, token: str) -> None:
        """The service refused `token`: fetch another next time (unless one already was)."""
        with self._lock:
            if self._token == token:
                self._token = None

    def request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """The token request, with a new assertion."""
        credentials = self._credentials
        form = {
            "grant_type": CLIENT_CREDENTIALS,
            "client_id": credentials.client_id,
            "client_assertion_type": JWT_BEARER_ASSERTION,
            "client_assertion": credentials.assertion(int(self._clock())),
        }
        if self._scopes:
            form["scope"] = self._scopes
        return http.build_request(
            "POST", credentials.token_endpoint, data=form, headers={"Accept": "application/json"}
        )

    def accept(self, response: httpx.Response, requested_at: float) -> str:
        """The token of a token endpoint's answer, kept until it is about to expire."""
        if response.status_code != 200:
            raise _token_error(response)
        try:
            body = TokenResponse.model_validate_json(response.content)
        except ValidationError as error:
            raise UnexpectedResponse(
                f"the token endpoint's 200 body is not a token response: {error}",
                status=200,
                body=response.text[:2000],
            ) from None
        with self._lock:
            self._token = body.access_token
            self._expires_at = requested_at + body.expires_in
            self.fetched += 1
        return body.access_token


def _token_error(response: httpx.Response) -> ApiError:
    """RFC 6749 §5.2 ``{error, error_description}`` as an `ApiError`: a refused client
    (401 ``invalid_client``) is `AuthenticationFailed`, another 4xx `BadRequest`."""
    status = response.status_code
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    error, description = "server_error", response.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        error = body["error"]
        description = str(body.get("error_description", description))
    kind: type[ApiError] = ServerError if status >= 500 else BadRequest
    if status in (401, 403):
        kind = AuthenticationFailed
    request = response.request
    if status == 429:
        retry_after = response.headers.get("Retry-After", "")
        return RateLimited(
            status,
            f"{status} {error}",
            description,
            retry_after=float(retry_after) if retry_after.isdigit() else None,
            method=request.method,
            url=str(request.url),
            body=body,
        )
    return kind(
        status,
        f"{status} {error}",
        description,
        method=request.method,
        url=str(request.url),
        body=body,
    )
