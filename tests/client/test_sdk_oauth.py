"""The SDK as an OAuth API client: `from_oauth_client` fetches an access token with a
private_key_jwt assertion, reuses it, renews it before it expires, and fetches a new one once
when the service refuses it. Both client flavours."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete

from mfadesk.client import AdminClient, AsyncAdminClient, AuthenticationFailed, KeyFileError
from mfadesk.client.oauth import OAuthCredentials, admin_url_of
from mfadesk.services.oauth_clients import revoke_oauth_client
from mfadesk.services.provisioning import Operator
from mfadesk.store.tables import oauth_access_tokens
from tests.conftest import Stack
from tests.support.oauth import client_file
from tests.support.sdk import SyncAsAsync


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
async def oauth(flavour: str) -> AsyncIterator[Callable[..., Any]]:
    made: list[Any] = []

    def factory(jwk_file: Path, *args: Any, **options: Any) -> Any:
        if flavour == "async":
            client: Any = AsyncAdminClient.from_oauth_client(jwk_file, *args, **options)
        else:
            client = SyncAsAsync(AdminClient.from_oauth_client(jwk_file, *args, **options))
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()


def fetched(api: Any) -> int:
    client = api.client if isinstance(api, SyncAsAsync) else api
    return int(client._engine.oauth.fetched)


async def test_one_token_serves_many_calls(
    stack: Stack, tmp_path: Path, oauth: Callable[..., Any]
) -> None:
    _, jwk_file = client_file(stack, tmp_path)
    api = oauth(jwk_file)
    alice = await api.lookup_user("alice@acme.example")
    await asyncio.gather(*(api.lookup_user("bob@acme.example") for _ in range(4)))
    devices = await api.list_user_devices(alice.id)
    assert devices.sidTokens[0].tokenStatus == "Enabled"
    assert fetched(api) == 1 and api.stats.requests == 6


async def test_the_token_is_renewed_before_it_expires(
    stack: Stack, tmp_path: Path, oauth: Callable[..., Any]
) -> None:
    _, jwk_file = client_file(stack, tmp_path)
    api = oauth(jwk_file, clock=stack.clock.timestamp)
    await api.lookup_user("alice@acme.example")
    stack.clock.advance(timedelta(seconds=3600 - 59))  # within a minute of expiry
    await api.lookup_user("alice@acme.example")
    assert fetched(api) == 2 and api.stats.retries == 0


async def test_a_refused_token_is_replaced_once(
    stack: Stack, tmp_path: Path, oauth: Callable[..., Any]
) -> None:
    client_id, jwk_file = client_file(stack, tmp_path)
    api = oauth(jwk_file)
    await api.lookup_user("alice@acme.example")
    with stack.db.engine.begin() as connection:  # the service forgot it (its data restored…)
        connection.execute(delete(oauth_access_tokens))
    assert (await api.lookup_user("alice@acme.example")).emailAddress == "alice@acme.example"
    assert fetched(api) == 2 and api.stats.retries == 1
    with stack.db.unit_of_work() as uow:
        revoke_oauth_client(uow, Operator.start(stack.env), client_id)
    with pytest.raises(AuthenticationFailed) as refused:
        await api.lookup_user("alice@acme.example")
    assert refused.value.status == 401 and refused.value.code == "401 invalid_client"
    assert refused.value.description == "The client is unknown or revoked."


async def test_client_id_and_issuer_may_be_given_instead_of_members(
    stack: Stack, tmp_path: Path, oauth: Callable[..., Any]
) -> None:
    client_id, jwk_file = client_file(stack, tmp_path, scopes=("rsa.user.read",))
    contents = json.loads(jwk_file.read_text())
    issuer = contents.pop("issuer")
    del contents["client_id"]
    bare = tmp_path / "bare.jwk"
    bare.write_text(json.dumps(contents))
    api = oauth(bare, client_id, issuer, oauth_scopes="rsa.user.read")
    assert (await api.lookup_user("bob@acme.example")).firstName == "Bob"
    with pytest.raises(KeyFileError, match="no client_id"):
        AdminClient.from_oauth_client(bare)


def test_the_admin_api_is_beside_the_issuer() -> None:
    assert admin_url_of("http://127.0.0.1:8080/oauth") == (
        "http://127.0.0.1:8080/AdminInterface/restapi/"
    )
    assert admin_url_of("https://acme.auth.securid.com/oauth/") == (
        "https://acme.access.securid.com/AdminInterface/restapi/"
    )


def test_the_key_never_shows(stack: Stack, tmp_path: Path) -> None:
    _, jwk_file = client_file(stack, tmp_path)
    credentials = OAuthCredentials.from_jwk_file(jwk_file)
    assert json.loads(jwk_file.read_text())["d"] not in repr(credentials)
