"""OAuth access tokens on the admin API: opaque, looked up by their SHA-256 and cached.

A token is read from the database once per worker and then answered from memory until it
expires, as verified legacy JWTs are; revocation is checked on every request all the same,
inside the use case's transaction (`services.authorization`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from mfadesk.api.jwt_auth import TokenRejected
from mfadesk.api.lru import Lru
from mfadesk.domain.clock import Clock
from mfadesk.domain.oauth_clients import AccessToken, OAuthClient, hash_access_token

TokenLookup = Callable[[str], Awaitable[tuple[OAuthClient, AccessToken] | None]]


@dataclass(frozen=True, slots=True)
class Grant:
    """What a valid access token grants: whose it is and which scopes, until when."""

    client_id: str
    token_hash: str
    scopes: frozenset[str]
    expires: float  # epoch seconds


class AccessTokenVerifier:
    def __init__(self, clock: Clock, lookup: TokenLookup, cache_size: int = 10_000) -> None:
        self._clock = clock
        self._lookup = lookup
        self._cache: Lru[str, Grant] = Lru(cache_size)

    async def verify(self, token: str) -> Grant:
        """The grant of a valid token, or TokenRejected."""
        now = self._clock().timestamp()
        cached = self._cache.get(token)
        if cached is not None:
            if now < cached.expires:
                return cached
            self._cache.pop(token)
            raise TokenRejected("access token expired", cached.client_id)
        token_hash = hash_access_token(token)
        found = await self._lookup(token_hash)
        if found is None:
            raise TokenRejected("unknown access token")
        client, access = found
        if client.revoked:
            raise TokenRejected("OAuth client revoked", client.id)
        expires = access.expires_at.timestamp()
        if now >= expires:
            raise TokenRejected("access token expired", client.id)
        grant = Grant(client.id, token_hash, access.scopes, expires)
        self._cache.put(token, grant)
        return grant
