"""`mfadesk authn-key …`: the API keys agents send in the ``client-key`` header."""

from __future__ import annotations

import click

from mfadesk.cli.runtime import emit_json, runtime
from mfadesk.domain.clock import format_timestamp
from mfadesk.services.authn_keys import create_authn_key, revoke_authn_key
from mfadesk.services.provisioning import resolve_company

COMPANY_HELP = "Company name (default: the only one)."


@click.group("authn-key")
def authn_key_group() -> None:
    """API keys of authentication agents (the client-key header)."""


@authn_key_group.command("add")
@click.option("--name", required=True, help="A name for the agent or integration.")
@click.option("--company", default=None, help=COMPANY_HELP)
@click.option("--json", "as_json", is_flag=True, help='Print {"name", "clientKey"} as JSON.')
def add(name: str, company: str | None, as_json: bool) -> None:
    """Create a key; it is printed once, only its hash is kept."""
    with runtime() as rt:
        key, client_key = rt.transaction(
            lambda uow, op: create_authn_key(uow, op, resolve_company(uow, company), name)
        )
    if as_json:
        emit_json({"name": key.name, "clientKey": client_key})
    else:
        click.echo(f"authentication key {key.name}: {client_key}")
        click.echo("Store it now: it cannot be shown again.", err=True)


@authn_key_group.command("list")
@click.option("--company", default=None, help=COMPANY_HELP)
@click.option("--json", "as_json", is_flag=True)
def list_keys(company: str | None, as_json: bool) -> None:
    """List the keys (names and dates, never the keys)."""
    with runtime() as rt:
        keys = rt.transaction(
            lambda uow, op: uow.authn_keys.of_company(resolve_company(uow, company).id)
        )
    if as_json:
        emit_json(
            [
                {
                    "name": k.name,
                    "createdAt": format_timestamp(k.created_at),
                    "revokedAt": format_timestamp(k.revoked_at) if k.revoked_at else None,
                }
                for k in keys
            ]
        )
        return
    for k in keys:
        state = f"revoked {format_timestamp(k.revoked_at)}" if k.revoked_at else "active"
        click.echo(f"{k.name}\tcreated {format_timestamp(k.created_at)}\t{state}")


@authn_key_group.command("revoke")
@click.argument("name")
@click.option("--company", default=None, help=COMPANY_HELP)
def revoke(name: str, company: str | None) -> None:
    """Revoke a key by name; agents using it get 401 at once."""
    with runtime() as rt:
        rt.transaction(
            lambda uow, op: revoke_authn_key(uow, op, resolve_company(uow, company), name)
        )
    click.echo(f"authentication key {name} revoked")
