"""The JWT the SDK mints from the key file, its reuse, and its renewal across expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest

from mfadesk.client import AdminClient, Credentials
from mfadesk.client.credentials import TokenSource
from tests.conftest import Stack
from tests.support.sdk import Recorder, key_file_contents
from tests.support.tenant import TOKEN_ALICE


def bearer(request: httpx.Request) -> str:
    scheme, _, token = request.headers["Authorization"].partition(" ")
    assert scheme == "Bearer"
    return token


async def test_jwt_is_rs256_for_the_key_files_audience_and_reused(
    stack: Stack, connect: Any
) -> None:
    recorder = Recorder()
    api = connect(stack, recorder=recorder, clock=stack.clock.timestamp)
    await api.lookup_user("alice@acme.example")
    await api.lookup_user("bob@acme.example")
    first, second = (bearer(r) for r in recorder.requests)
    assert first == second  # one token for many requests
    assert jwt.get_unverified_header(first) == {"alg": "RS256", "typ": "JWT"}
    claims = jwt.decode(first, options={"verify_signature": False})
    now = int(stack.clock.timestamp())
    assert claims == {
        "sub": stack.admin("super").access_id,
        "aud": stack.audience,  # the key file's adminRestApiUrl, as written there
        "iat": now,
        "exp": now + 600,
    }
    assert all(r.headers["Accept"] == "application/json" for r in recorder.requests)
    assert recorder.requests[0].headers["User-Agent"].startswith("mfadesk-sdk/")


async def test_token_is_renewed_before_it_expires(stack: Stack, connect: Any) -> None:
    recorder = Recorder()
    # Both clocks move together: the server's (stack.clock) and the SDK's.
    api = connect(stack, recorder=recorder, clock=stack.clock.timestamp)
    await api.disable_hardware_token(stack.tenant.user("alice"), TOKEN_ALICE)
    stack.clock.advance(timedelta(minutes=8, seconds=59))
    await api.enable_hardware_token(stack.tenant.user("alice"), TOKEN_ALICE)
    stack.clock.advance(timedelta(seconds=2))  # 9:01 after minting: inside the last minute
    await api.disable_hardware_token(stack.tenant.user("alice"), TOKEN_ALICE)
    stack.clock.advance(timedelta(minutes=30))  # far past the first token's expiry
    await api.enable_hardware_token(stack.tenant.user("alice"), TOKEN_ALICE)
    tokens = [bearer(r) for r in recorder.requests]
    assert recorder.statuses == [200, 200, 200, 200]
    assert tokens[0] == tokens[1] != tokens[2] != tokens[3]
    # the first token is really dead by now: the renewal was needed
    stale = httpx.post(
        f"{stack.admin_base}/v1/users/lookup",
        json={"email": "alice@acme.example"},
        headers={"Authorization": f"Bearer {tokens[0]}"},
    )
    assert stale.status_code == 403


def test_token_lifetime_is_at_most_an_hour(stack: Stack) -> None:
    credentials = Credentials.from_dict(key_file_contents(stack))
    with pytest.raises(ValueError, match="lifetime"):
        TokenSource(credentials, lifetime=3601)
    with pytest.raises(ValueError, match="renew_before"):
        TokenSource(credentials, lifetime=60, renew_before=60)
    hour = TokenSource(credentials, lifetime=3600, clock=lambda: 1_000_000.0)
    claims = jwt.decode(hour.token(), options={"verify_signature": False, "verify_exp": False})
    assert claims["exp"] - claims["iat"] == 3600
    with AdminClient(credentials, token_lifetime=3600, clock=stack.clock.timestamp) as api:
        assert api.lookup_user("alice@acme.example").emailAddress == "alice@acme.example"
