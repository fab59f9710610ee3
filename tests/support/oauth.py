"""OAuth clients in a test stack, and assertions and token requests as a real client makes
them (PyJWT, form-encoded)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt

from mfadesk.cli.jwk_files import generate_client_key
from mfadesk.cli.oauth_clients import register_client
from mfadesk.cli.runtime import Runtime
from mfadesk.domain.admins import Role
from mfadesk.domain.oauth_clients import KNOWN_SCOPES
from mfadesk.services.oauth_clients import create_oauth_client
from mfadesk.services.provisioning import Operator, resolve_company
from mfadesk.wire.oauth import CLIENT_CREDENTIALS, JWT_BEARER_ASSERTION
from tests.conftest import Stack


@dataclass
class ClientKey:
    client_id: str
    private_jwk: dict[str, Any] = field(repr=False)
    issuer: str
    name: str

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    def assertion(self, **overrides: Any) -> str:
        """A client assertion; `overrides` replace claims (None drops one), `headers=` the
        header's members, `key=`/`algorithm=` the signing key."""
        now = int(overrides.pop("now", time.time()))
        claims: dict[str, Any] = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_url,
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        }
        headers = {"kid": self.private_jwk["kid"], **overrides.pop("headers", {})}
        key = overrides.pop("key", jwt.PyJWK.from_dict(self.private_jwk).key)
        algorithm = overrides.pop("algorithm", "ES256")
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return jwt.encode(claims, key, algorithm=algorithm, headers=headers)

    def form(self, **overrides: Any) -> dict[str, str]:
        """The token request's form; `overrides` replace members (None drops one)."""
        form = {
            "grant_type": CLIENT_CREDENTIALS,
            "client_id": self.client_id,
            "client_assertion_type": JWT_BEARER_ASSERTION,
        }
        if "client_assertion" not in overrides:
            form["client_assertion"] = self.assertion()
        for name, value in overrides.items():
            if value is None:
                form.pop(name, None)
            else:
                form[name] = value
        return form


def add_client(
    stack: Stack,
    name: str = "ci",
    role: Role = Role.SUPER_ADMIN,
    scopes: tuple[str, ...] | frozenset[str] = KNOWN_SCOPES,
) -> ClientKey:
    private, public = generate_client_key()
    op = Operator.start(stack.env)
    with stack.db.unit_of_work() as uow:
        company = resolve_company(uow, None)
        client = create_oauth_client(
            uow, op, company, name, role, frozenset(scopes), json.dumps(public), public["kid"]
        )
    return ClientKey(client.id, private, f"{stack.settings.public_url}/oauth", name)


def request_token(stack: Stack, client: ClientKey, **form: Any) -> httpx.Response:
    return httpx.post(f"{stack.server.base_url}/oauth/token", data=client.form(**form))


def access_token(stack: Stack, client: ClientKey, **form: Any) -> str:
    response = request_token(stack, client, **form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer_client(stack: Stack, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=stack.admin_base + "/",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=30,
    )


def client_file(
    stack: Stack,
    directory: Path,
    name: str = "sdk",
    scopes: tuple[str, ...] | frozenset[str] = KNOWN_SCOPES,
    role: Role = Role.SUPER_ADMIN,
) -> tuple[str, Path]:
    """A client registered as `mfadesk oauth-client add` registers it: (client_id, the private
    JWK file naming client_id and issuer)."""
    jwk_file = directory / f"{name}.jwk"
    made = register_client(
        Runtime(stack.settings, stack.db, stack.env),
        name,
        role,
        frozenset(scopes),
        None,
        jwk_file=jwk_file,
    )
    return made.client.id, jwk_file
