"""`mfadesk source add-scim` and `source remove` as a shell runs them: the token printed once
works against the live server, and removing the source revokes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mfadesk.api.app import create_app
from mfadesk.settings import Settings
from tests.support.live_server import LiveServer, free_port
from tests.support.operator_cli import PUBLIC_URL, Cli
from tests.support.scim import new_user


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    folder = tmp_path_factory.mktemp("cli")
    return Cli(folder, f"sqlite:///{folder / 'mfadesk.db'}").prepare()


@pytest.fixture(scope="module")
def scim_base(cli: Cli) -> Iterator[str]:
    settings = Settings.from_env(cli.env)
    port = free_port()
    with LiveServer(create_app(settings.with_public_url(f"http://127.0.0.1:{port}")), port) as s:
        yield s.base_url + "/scim/v2"


def users(base: str, token: str) -> httpx.Response:
    return httpx.get(f"{base}/Users", headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_add_scim_prints_the_token_once_and_remove_revokes_it(
    cli: Cli, scim_base: str, tmp_path: Path
) -> None:
    made = cli.json("source", "add-scim", "--name", "Okta")
    assert set(made) == {"name", "token", "baseUrl"}
    assert made["name"] == "Okta"
    assert made["baseUrl"] == PUBLIC_URL + "/scim/v2"
    assert users(scim_base, made["token"]).json()["totalResults"] == 0
    listed = cli.json("source", "list")
    assert {"name": "Okta", "kind": "scim", "users": 0} in [
        {k: row[k] for k in ("name", "kind", "users")} for row in listed
    ]
    assert "already exists" in cli.fails("source", "add-scim", "--name", "Okta")
    cli.run("source", "remove", "Okta")
    assert users(scim_base, made["token"]).status_code == 401


def test_forced_removal_revokes_the_token_and_keeps_the_users_disabled(
    cli: Cli, scim_base: str
) -> None:
    lines = cli.run("source", "add-scim", "--name", "Entra ID").stdout.splitlines()
    assert lines[0] == "identity source 'Entra ID' (scim) created"
    assert lines[1] == f"SCIM base URL: {PUBLIC_URL}/scim/v2"
    token = lines[2].rsplit(" ", 1)[1]
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(
        f"{scim_base}/Users", json=new_user("ivy", "ivy@acme.example"), headers=headers
    )
    assert created.status_code == 201, created.text
    assert "remove them first" in cli.fails("source", "remove", "Entra ID")
    assert users(scim_base, token).status_code == 200  # a refused removal revokes nothing
    cli.run("source", "remove", "Entra ID", "--force")
    assert users(scim_base, token).status_code == 401
