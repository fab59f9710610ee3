"""Client assertions (``private_key_jwt``, RFC 7523 §3): a JWT signed with the client's key,
verified with PyJWT against the registered public JWK. Every problem is ``invalid_client``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt

from mfadesk.api.audience import UrlMatcher
from mfadesk.api.jwt_auth import (
    SIGNATURE_ONLY,
    STRICT_JWT,
    TokenRejected,
    audience_claim,
    numeric_date,
)
from mfadesk.domain.clock import Clock
from mfadesk.domain.oauth_clients import (
    ASSERTION_SKEW_SECONDS,
    MAX_ASSERTION_LIFETIME_SECONDS,
    MAX_JTI_LENGTH,
    OAuthClient,
    OAuthRefusal,
)

# The algorithm a registered key signs with, by its JWK key type and curve.
_ALGORITHM = {("RSA", None): "RS256", ("EC", "P-256"): "ES256"}
SIGNING_ALGORITHMS = ("RS256", "ES256")


class UnusableKey(ValueError):
    """A JWK mfadesk cannot verify assertions with (not RSA or EC P-256, or not a JWK)."""


def key_algorithm(jwk: dict[str, Any]) -> str:
    """The algorithm of a public JWK mfadesk accepts for clients, else `UnusableKey`."""
    kty, crv = str(jwk.get("kty")), jwk.get("crv")
    algorithm = _ALGORITHM.get((kty, str(crv) if kty == "EC" else None))
    if algorithm is None:
        raise UnusableKey(f"a client key is RSA or EC P-256, not {kty} {crv or ''}".strip())
    try:
        jwt.PyJWK.from_dict(jwk, algorithm)
    except jwt.PyJWTError as error:
        raise UnusableKey(f"not a usable JWK: {error}") from error
    return algorithm


def _invalid(description: str) -> OAuthRefusal:
    return OAuthRefusal("invalid_client", description)


def claimed_client(assertion: str) -> str | None:
    """The client an assertion says it comes from (``sub``, else ``iss``), unverified."""
    try:
        claims = STRICT_JWT.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    claimed = claims.get("sub", claims.get("iss"))
    return claimed if isinstance(claimed, str) and 0 < len(claimed) <= 36 else None


@dataclass(frozen=True, slots=True)
class VerifiedAssertion:
    jti: str
    expires: datetime


class AssertionVerifier:
    def __init__(self, audiences: UrlMatcher, clock: Clock) -> None:
        self._audiences = audiences
        self._clock = clock

    def verify(self, assertion: str, client: OAuthClient) -> VerifiedAssertion:
        """The assertion's `jti` and expiry once its signature and claims are right."""
        jwk = json.loads(client.public_jwk)
        algorithm = key_algorithm(jwk)
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError as error:
            raise _invalid(f"The client assertion is malformed: {error}") from error
        if header.get("alg") != algorithm:
            raise _invalid(f"The client assertion must be signed with {algorithm}.")
        kid = header.get("kid")
        if client.key_id is not None and kid is not None and kid != client.key_id:
            raise _invalid("The client assertion's kid does not name the registered key.")
        key = jwt.PyJWK.from_dict(jwk, algorithm).key
        try:
            claims = STRICT_JWT.decode(
                assertion, key, algorithms=[algorithm], options=SIGNATURE_ONLY
            )
        except jwt.InvalidSignatureError as error:
            raise _invalid(f"The client assertion's signature is invalid: {error}") from error
        except jwt.PyJWTError as error:  # PyJWT checks some claims' types as it decodes
            raise _invalid(f"The client assertion is invalid: {error}") from error
        try:
            return self._check_claims(claims, client)
        except TokenRejected as rejected:
            raise _invalid(f"The client assertion is invalid: {rejected.reason}") from None

    def _check_claims(self, claims: dict[str, Any], client: OAuthClient) -> VerifiedAssertion:
        if claims.get("iss") != client.id or claims.get("sub") != client.id:
            raise TokenRejected("iss and sub must both be the client_id")
        for name in ("aud", "iat", "exp", "jti"):
            if name not in claims:
                raise TokenRejected(f"claim {name} is missing")
        now = self._clock().timestamp()
        issued, expires = numeric_date(claims, "iat"), numeric_date(claims, "exp")
        if expires <= now - ASSERTION_SKEW_SECONDS:
            raise TokenRejected("it has expired")
        if issued > now + ASSERTION_SKEW_SECONDS:
            raise TokenRejected("it is issued in the future")
        if expires < issued:
            raise TokenRejected("it expires before it was issued")
        if expires - issued > MAX_ASSERTION_LIFETIME_SECONDS + ASSERTION_SKEW_SECONDS:
            raise TokenRejected("its lifetime exceeds one hour")
        if "nbf" in claims and numeric_date(claims, "nbf") > now + ASSERTION_SKEW_SECONDS:
            raise TokenRejected("it is not valid yet (nbf)")
        if not self._audiences.accepts(audience_claim(claims, client.id)):
            raise TokenRejected("aud does not name this token endpoint")
        jti = claims["jti"]
        if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH or "\x00" in jti:
            raise TokenRejected(f"jti must be a string of 1 to {MAX_JTI_LENGTH} characters")
        return VerifiedAssertion(jti, datetime.fromtimestamp(expires, UTC))
