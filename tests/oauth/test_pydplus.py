"""The PyPI `pydplus` client, unchanged, in OAuth mode against mfadesk: its private-key JWK
file as `mfadesk oauth-client add` writes it, the issuer URL, its token request and the
user calls it makes (lookup, disable/enable, mark deleted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydplus import PyDPlus

from mfadesk.cli.oauth_clients import register_client
from mfadesk.cli.runtime import Runtime
from mfadesk.domain.admins import Role
from mfadesk.domain.audit import Action
from mfadesk.domain.oauth_clients import Scope
from tests.conftest import Stack

SCOPES = (Scope.USER_READ, Scope.USER_MANAGE, Scope.USER_DELETE_SOFT)


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_pydplus_in_oauth_mode(stack: Stack, tmp_path: Path) -> None:
    jwk_file = tmp_path / "pydplus.jwk"
    made = register_client(
        Runtime(stack.settings, stack.db, stack.env),
        "pydplus",
        Role.SUPER_ADMIN,
        frozenset(SCOPES),
        None,
        jwk_file=jwk_file,
    )
    client = PyDPlus(
        connection_type="oauth",
        base_admin_url=stack.admin_base,
        oauth_issuer_url=made.issuer,
        oauth_client_id=made.client.id,
        oauth_private_key=str(jwk_file),
        oauth_scope=" ".join(SCOPES),
        strict_mode=True,
    )
    assert client.connected
    bob = client.users.get_user_details("bob@acme.example")
    assert bob["id"] == stack.tenant.user("bob") and bob["userStatus"] == "Enabled"
    assert client.users.get_user_id("bob@acme.example") == bob["id"]
    assert client.users.disable_user(bob["id"]) == {"id": bob["id"], "userStatus": "Disabled"}
    assert client.users.mark_deleted(bob["id"]) == {"id": bob["id"], "markDeleted": True}
    assert client.users.unmark_deleted(bob["id"]) == {"id": bob["id"], "markDeleted": False}
    assert client.users.enable_user(bob["id"])["userStatus"] == "Enabled"
    done = [e.event for e in stack.audit_events() if e.event.admin_email == "pydplus"]
    assert [e.action for e in done] == [
        Action.ISSUE_OAUTH_TOKEN,
        Action.DISABLE_USER,
        Action.MARK_USER_DELETED,
        Action.UNMARK_USER_DELETED,
        Action.ENABLE_USER,
    ]
