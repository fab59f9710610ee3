"""`mfadesk oauth-client add|list|revoke` as real processes, and `mfadesk api --oauth-client`
against the server on loopback (SQLite: the services' storage is tested in tests/oauth)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import jwt
import pytest
from sqlalchemy import create_engine, select

from mfadesk.domain.oauth_clients import KNOWN_SCOPES
from mfadesk.store.tables import oauth_clients
from tests.conftest import Stack
from tests.support.oauth import client_file
from tests.support.operator_cli import PUBLIC_URL, Cli
from tests.support.remote_cli import RemoteCli
from tests.support.sdk import write_key_file


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_add_writes_the_private_jwk_and_keeps_the_public_one(cli: Cli, tmp_path: Path) -> None:
    jwk_file = tmp_path / "ci.jwk"
    added = cli.json(
        "oauth-client", "add", "--name", "ci", "--role", "help-desk-admin",
        "--scopes", "rsa.user.read  rsa.authenticator.sidtoken.manage", "--jwk-file", str(jwk_file),
    )  # fmt: skip
    issuer = f"{PUBLIC_URL}/oauth"
    assert added == {
        "clientId": added["clientId"],
        "name": "ci",
        "scopes": "rsa.user.read rsa.authenticator.sidtoken.manage",
        "issuer": issuer,
        "tokenEndpoint": issuer + "/token",
    }
    assert stat.S_IMODE(jwk_file.stat().st_mode) == 0o600
    private = json.loads(jwk_file.read_text())
    assert (private["client_id"], private["issuer"]) == (added["clientId"], issuer)
    assert private["kty"] == "EC" and private["alg"] == "ES256" and private["kid"]
    jwt.PyJWK.from_dict(private)  # a JWK as JOSE libraries read it
    engine = create_engine(cli.env["MFADESK_DATABASE_URL"])
    with engine.connect() as connection:
        row = connection.execute(select(oauth_clients)).one()
    engine.dispose()
    stored = json.loads(row.public_jwk)
    assert "d" not in stored and stored["x"] == private["x"] and row.key_id == private["kid"]
    assert cli.fails("oauth-client", "add", "--name", "ci2", "--role", "super-admin",
                     "--scopes", "rsa.user.read", "--jwk-file", str(jwk_file)) == (
        f"mfadesk: error: {jwk_file} exists: choose another path"
    )  # fmt: skip


def test_add_a_public_jwk_list_and_revoke(cli: Cli, tmp_path: Path) -> None:
    generated = tmp_path / "generated.jwk"
    cli.run("oauth-client", "add", "--name", "first", "--role", "super-admin",
            "--scopes", " ".join(KNOWN_SCOPES), "--jwk-file", str(generated))  # fmt: skip
    private = json.loads(generated.read_text())
    private_only = tmp_path / "private-as-public.jwk"
    private_only.write_text(json.dumps(private))
    assert "holds a private key" in cli.fails(
        "oauth-client", "add", "--name", "team", "--role", "super-admin",
        "--scopes", "rsa.user.read", "--public-jwk", str(private_only),
    )  # fmt: skip
    public = tmp_path / "public.jwk"
    public.write_text(json.dumps({k: v for k, v in private.items() if k != "d"}))
    added = cli.json("oauth-client", "add", "--name", "team", "--role", "super-admin",
                     "--scopes", "rsa.user.read", "--public-jwk", str(public))  # fmt: skip
    assert "unknown scope(s): rsa.nope" in cli.fails(
        "oauth-client", "add", "--name", "x", "--role", "super-admin",
        "--scopes", "rsa.nope", "--jwk-file", str(tmp_path / "x.jwk"),
    )  # fmt: skip
    assert "already exists" in cli.fails(
        "oauth-client", "add", "--name", "team", "--role", "super-admin",
        "--scopes", "rsa.user.read", "--public-jwk", str(public),
    )  # fmt: skip
    listed = cli.json("oauth-client", "list")
    assert [(c["name"], c["role"], c["revokedAt"]) for c in listed] == [
        ("first", "Super Admin", None),
        ("team", "Super Admin", None),
    ]
    assert cli.run("oauth-client", "revoke", added["clientId"]).stdout.strip() == (
        f"OAuth client {added['clientId']} revoked"
    )
    assert cli.json("oauth-client", "list")[1]["revokedAt"] is not None
    assert "not found" in cli.fails("oauth-client", "revoke", "no-such-client")


def test_mfadesk_api_as_an_oauth_client(stack: Stack, tmp_path: Path) -> None:
    _, jwk_file = client_file(stack, tmp_path, "cli", role=stack.admin("helpdesk").role)
    remote = RemoteCli(tmp_path, None)
    shown = remote.json("--oauth-client", str(jwk_file), "user", "show", "alice@acme.example")
    assert shown["id"] == stack.tenant.user("alice")
    remote.env["MFADESK_OAUTH_CLIENT_FILE"] = str(jwk_file)
    assert remote.json("user", "show", "bob@acme.example")["firstName"] == "Bob"
    # a key file from the environment yields to --oauth-client given on the command line,
    # and the other way round; both on the command line is a usage error
    key_file = write_key_file(stack, tmp_path, "helpdesk")
    remote.env["MFADESK_KEY_FILE"] = str(key_file)
    del remote.env["MFADESK_OAUTH_CLIENT_FILE"]
    assert remote.json("--oauth-client", str(jwk_file), "user", "show", "bob@acme.example")
    assert remote.error(
        "--oauth-client", str(jwk_file), "user", "show", "bob@acme.example",
        "--key-file", str(key_file), status=2,
    ) == "give either an API key file or --oauth-client, not both"  # fmt: skip
    broken = tmp_path / "broken.jwk"
    broken.write_text("{}")
    assert "no client_id" in remote.error(
        "--oauth-client", str(broken), "user", "show", "bob@acme.example", status=2
    )
