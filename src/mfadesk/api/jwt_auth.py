"""Legacy admin API-key authentication: an RS256 JWT signed with the administrator's key.

Verified tokens are cached until they expire, so a client that reuses its JWT (as the contract
allows) pays for one signature check, not one per request. Revocation is still checked on every
request, inside the use case's transaction.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from mfadesk.api.audience import AudiencePolicy
from mfadesk.api.lru import Lru
from mfadesk.domain.clock import Clock

MAX_LIFETIME_SECONDS = 3600
SKEW_SECONDS = 60
_REQUIRED_CLAIMS = ("sub", "aud", "iat", "exp")
_MAX_REASON = 200  # a refusal's reason goes to the audit trail: never the whole claim
SIGNATURE_ONLY: Any = {
    "verify_signature": True,
    "verify_exp": False,  # time rules are ours, on the injected clock
    "verify_iat": False,
    "verify_nbf": False,
    "verify_aud": False,
    "verify_iss": False,
}

PublicKeyLookup = Callable[[str], Awaitable[str | None]]


class TokenRejected(Exception):
    """Why a JWT was refused; `access_id` is the claimed subject, if one could be read."""

    def __init__(self, reason: str, access_id: str | None = None) -> None:
        reason = reason if len(reason) <= _MAX_REASON else reason[: _MAX_REASON - 1] + "…"
        super().__init__(reason)
        self.reason = reason
        self.access_id = access_id


def _not_a_number(literal: str) -> float:
    raise ValueError(f"{literal} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400
        raise ValueError(f"{text} is beyond a finite number")
    return number


class _StrictJWT(jwt.PyJWT):
    """PyJWT, reading the claims as JSON as RFC 8259 defines it: ``NaN``, ``Infinity`` and
    numbers too large for a float are not numbers, so a token carrying them is malformed."""

    def _decode_payload(self, decoded: dict[str, Any]) -> dict[str, Any]:
        try:
            payload = json.loads(
                decoded["payload"], parse_constant=_not_a_number, parse_float=_finite
            )
        except (ValueError, RecursionError) as error:
            raise jwt.DecodeError(f"Invalid payload string: {error}") from error
        if not isinstance(payload, dict):
            raise jwt.DecodeError("Invalid payload string: must be a json object")
        return payload


STRICT_JWT = _StrictJWT()


@dataclass(frozen=True, slots=True)
class _Verified:
    access_id: str
    expires: float


def numeric_date(claims: dict[str, Any], name: str) -> float:
    """A NumericDate claim (RFC 7519 §2): a finite JSON number."""
    value = claims.get(name)
    number = math.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            number = math.nan
    if not math.isfinite(number):
        raise TokenRejected(f"claim {name} is not a NumericDate", claims.get("sub"))
    return number


def audience_claim(claims: dict[str, Any], subject: str) -> str | list[str]:
    """``aud``: a string or an array of strings (RFC 7519 §4.1.3), nothing deeper."""
    audience = claims["aud"]
    if isinstance(audience, str):
        return audience
    if isinstance(audience, list) and all(isinstance(item, str) for item in audience):
        return audience
    raise TokenRejected("claim aud is not a string or an array of strings", subject)


class TokenVerifier:
    def __init__(
        self,
        audience: AudiencePolicy,
        clock: Clock,
        public_key_of: PublicKeyLookup,
        cache_size: int = 10_000,
    ) -> None:
        self._audience = audience
        self._clock = clock
        self._public_key_of = public_key_of
        self._cache: OrderedDict[str, _Verified] = OrderedDict()
        self._cache_size = cache_size
        self._keys: Lru[str, RSAPublicKey] = Lru(cache_size)

    async def verify(self, token: str) -> str:
        """The accessID of a valid token, or TokenRejected."""
        now = self._clock().timestamp()
        cached = self._cache.get(token)
        if cached is not None:
            if now < cached.expires + SKEW_SECONDS:
                return cached.access_id
            del self._cache[token]
            raise TokenRejected("token expired", cached.access_id)
        verified = await self._verify_fully(token, now)
        self._cache[token] = verified
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return verified.access_id

    async def _verify_fully(self, token: str, now: float) -> _Verified:
        try:
            header = jwt.get_unverified_header(token)
            unverified = STRICT_JWT.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise TokenRejected(f"malformed token: {error}") from error
        subject = unverified.get("sub")
        if header.get("alg") != "RS256":
            raise TokenRejected(f"algorithm {header.get('alg')!r} is not RS256", subject)
        if not isinstance(subject, str) or not subject:
            raise TokenRejected("no subject")
        key = await self._key(subject)
        try:
            claims = STRICT_JWT.decode(token, key, algorithms=["RS256"], options=SIGNATURE_ONLY)
        except jwt.PyJWTError as error:
            raise TokenRejected(f"bad signature: {error}", subject) from error
        for name in _REQUIRED_CLAIMS:
            if name not in claims:
                raise TokenRejected(f"claim {name} is missing", subject)
        issued, expires = numeric_date(claims, "iat"), numeric_date(claims, "exp")
        not_before = numeric_date(claims, "nbf") if "nbf" in claims else None
        if expires <= now - SKEW_SECONDS:
            raise TokenRejected("token expired", subject)
        if issued > now + SKEW_SECONDS:
            raise TokenRejected("token issued in the future", subject)
        if expires < issued:
            raise TokenRejected("token expires before it was issued", subject)
        if expires - issued > MAX_LIFETIME_SECONDS + SKEW_SECONDS:
            raise TokenRejected("token lifetime exceeds one hour", subject)
        if not_before is not None and not_before > now + SKEW_SECONDS:
            raise TokenRejected("token not valid yet (nbf)", subject)
        audience = audience_claim(claims, subject)
        if not self._audience.accepts(audience):
            raise TokenRejected(f"audience {audience!r} does not name this service", subject)
        return _Verified(subject, expires)

    async def _key(self, access_id: str) -> RSAPublicKey:
        key = self._keys.get(access_id)
        if key is not None:
            return key
        pem = await self._public_key_of(access_id)
        if pem is None:
            raise TokenRejected("unknown accessID", access_id)
        loaded = load_pem_public_key(pem.encode())
        if not isinstance(loaded, RSAPublicKey):
            raise TokenRejected("stored key is not RSA", access_id)
        self._keys.put(access_id, loaded)
        return loaded
