"""`mfadesk oauth-client …`: OAuth 2.0 API clients (client credentials, ``private_key_jwt``)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from mfadesk.api.oauth import issuer_of
from mfadesk.api.oauth.assertions import UnusableKey, key_algorithm
from mfadesk.cli.jwk_files import generate_client_key, read_public_jwk, write_private_jwk
from mfadesk.cli.runtime import CommandError, Runtime, emit_json, runtime
from mfadesk.domain.admins import Role
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.errors import BadRequest
from mfadesk.domain.oauth_clients import OAuthClient, format_scopes, parse_scopes
from mfadesk.services.oauth_clients import create_oauth_client, revoke_oauth_client
from mfadesk.services.provisioning import resolve_company

ROLE_CHOICES = ("super-admin", "help-desk-admin")
COMPANY_HELP = "Company name (default: the only one)."


@dataclass(frozen=True, slots=True)
class NewClient:
    client: OAuthClient
    issuer: str

    def summary(self) -> dict[str, Any]:
        """What `--json` prints (the issue's five members)."""
        return {
            "clientId": self.client.id,
            "name": self.client.name,
            "scopes": format_scopes(self.client.scopes),
            "issuer": self.issuer,
            "tokenEndpoint": self.issuer + "/token",
        }


def register_client(
    rt: Runtime,
    name: str,
    role: Role,
    scopes: frozenset[str],
    company: str | None,
    *,
    jwk_file: Path | None = None,
    public_jwk: dict[str, Any] | None = None,
) -> NewClient:
    """Register a client with `public_jwk`, or with a new key pair whose private half is
    written to `jwk_file` (mode 0600). The file is staged before the transaction commits and
    moved into place after, so a failure leaves neither a key without its client nor a
    client without its key."""
    private: dict[str, Any] | None = None
    if public_jwk is None:
        private, public_jwk = generate_client_key()
    try:
        key_algorithm(public_jwk)
    except UnusableKey as error:
        raise CommandError(str(error)) from None
    issuer = issuer_of(rt.settings.effective_public_url())
    staged: Path | None = None

    def register(uow, op):  # type: ignore[no-untyped-def]
        nonlocal staged
        found = resolve_company(uow, company)
        kid = public_jwk.get("kid")
        client = create_oauth_client(
            uow,
            op,
            found,
            name,
            role,
            scopes,
            json.dumps(public_jwk, sort_keys=True),
            kid if isinstance(kid, str) else None,
        )
        if private is not None and jwk_file is not None:
            staged = write_private_jwk(jwk_file, private, client.id, issuer)
        return client

    try:
        client: OAuthClient = rt.transaction(register)
    except BaseException:
        if staged is not None:
            staged.unlink(missing_ok=True)
        raise
    if staged is not None and jwk_file is not None:
        os.replace(staged, jwk_file)
    return NewClient(client, issuer)


def scopes_option(text: str) -> frozenset[str]:
    try:
        scopes = parse_scopes(text)
    except BadRequest as error:
        raise CommandError(error.description) from None
    if not scopes:
        raise CommandError("--scopes names no scope")
    return scopes


@click.group("oauth-client")
def oauth_client_group() -> None:
    """OAuth 2.0 API clients: a role, scopes and a key (private_key_jwt)."""


@oauth_client_group.command("add")
@click.option("--name", required=True, help="A name for the client (unique in the company).")
@click.option("--role", required=True, type=click.Choice(ROLE_CHOICES))
@click.option("--scopes", required=True, help='Space-separated scopes: "rsa.user.read …".')
@click.option(
    "--jwk-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the generated private JWK (mode 0600); needed without --public-jwk.",
)
@click.option(
    "--public-jwk",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Register this public JWK (RSA or EC P-256) instead of generating a key pair.",
)
@click.option("--company", default=None, help=COMPANY_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the client as JSON.")
def add(
    name: str,
    role: str,
    scopes: str,
    jwk_file: Path | None,
    public_jwk: Path | None,
    company: str | None,
    as_json: bool,
) -> None:
    """Register a client; without --public-jwk, generate its key and write the private JWK."""
    wanted = scopes_option(scopes)
    public: dict[str, Any] | None = None
    if public_jwk is not None:
        if jwk_file is not None:
            raise CommandError("--jwk-file is where a generated key goes: not with --public-jwk")
        try:
            public = read_public_jwk(public_jwk)
        except ValueError as error:
            raise CommandError(str(error)) from None
    elif jwk_file is None:
        raise CommandError("give --jwk-file PATH (or --public-jwk FILE)")
    elif jwk_file.exists():
        raise CommandError(f"{jwk_file} exists: choose another path")
    elif not jwk_file.parent.is_dir():
        raise CommandError(f"cannot write {jwk_file}: directory {jwk_file.parent} does not exist")
    with runtime() as rt:
        made = register_client(
            rt,
            name,
            Role.from_cli_name(role),
            wanted,
            company,
            jwk_file=jwk_file,
            public_jwk=public,
        )
    if as_json:
        emit_json(made.summary())
        return
    written = f", private key written to {jwk_file}" if jwk_file else ""
    click.echo(f"OAuth client {made.client.name}: client_id {made.client.id}{written}")
    click.echo(f"issuer {made.issuer}, token endpoint {made.issuer}/token")


@oauth_client_group.command("list")
@click.option("--company", default=None, help=COMPANY_HELP)
@click.option("--json", "as_json", is_flag=True)
def list_clients(company: str | None, as_json: bool) -> None:
    """List the clients (never a key)."""
    with runtime() as rt:
        clients = rt.transaction(
            lambda uow, op: uow.oauth_clients.of_company(resolve_company(uow, company).id)
        )
    if as_json:
        emit_json(
            [
                {
                    "clientId": c.id,
                    "name": c.name,
                    "role": c.role.value,
                    "scopes": format_scopes(c.scopes),
                    "createdAt": format_timestamp(c.created_at),
                    "revokedAt": format_timestamp(c.revoked_at) if c.revoked_at else None,
                }
                for c in clients
            ]
        )
        return
    for c in clients:
        state = f"revoked {format_timestamp(c.revoked_at)}" if c.revoked_at else "active"
        click.echo(f"{c.id}\t{c.name}\t{c.role}\t{format_scopes(c.scopes)}\t{state}")


@oauth_client_group.command("revoke")
@click.argument("client_id")
def revoke(client_id: str) -> None:
    """Revoke a client; its access tokens stop working at once."""
    with runtime() as rt:
        rt.transaction(lambda uow, op: revoke_oauth_client(uow, op, client_id))
    click.echo(f"OAuth client {client_id} revoked")
