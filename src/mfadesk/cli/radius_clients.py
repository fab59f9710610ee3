"""`mfadesk radius-client …`: the network devices that send RADIUS Access-Requests."""

from __future__ import annotations

from pathlib import Path

import click

from mfadesk.cli.runtime import CommandError, emit_json, runtime
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.radius_clients import GENERATED_SECRET_LENGTH
from mfadesk.services.provisioning import resolve_company
from mfadesk.services.radius_clients import add_radius_client, remove_radius_client


def _read_secret(path: Path) -> bytes:
    """The file's content less one line ending: secrets never come on a command line."""
    try:
        secret = path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from None
    if secret.endswith(b"\r\n"):
        return secret[:-2]
    return secret[:-1] if secret.endswith(b"\n") else secret


@click.group("radius-client")
def radius_client_group() -> None:
    """RADIUS clients: VPN gateways, firewalls, pam_radius hosts (docs/radius.md)."""


@radius_client_group.command("add")
@click.option("--name", required=True, help="A name for the device (shown in the user event log).")
@click.option("--address", required=True, help="Its source address, or network in CIDR notation.")
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"A file holding the shared secret. [default: generate {GENERATED_SECRET_LENGTH} "
    "characters and print them once]",
)
@click.option(
    "--require-message-authenticator/--no-require-message-authenticator",
    default=True,
    show_default=True,
    help="Drop requests without a Message-Authenticator (RFC 3579; the Blast-RADIUS hardening).",
)
@click.option("--company", default=None, help="Company of its users (default: the only one).")
@click.option("--json", "as_json", is_flag=True, help='Print {"name", "address", "secret"}.')
def add(
    name: str,
    address: str,
    secret_file: Path | None,
    require_message_authenticator: bool,
    company: str | None,
    as_json: bool,
) -> None:
    """Add a client; a generated secret is printed once, only its encryption is kept."""
    given = _read_secret(secret_file) if secret_file is not None else None
    with runtime() as rt:
        client, secret = rt.transaction(
            lambda uow, op: add_radius_client(
                uow,
                op,
                resolve_company(uow, company),
                name,
                address,
                given,
                require_message_authenticator=require_message_authenticator,
            )
        )
    shown = None if given is not None else secret.decode()
    if as_json:
        emit_json({"name": client.name, "address": str(client.network), "secret": shown})
    elif shown is None:
        click.echo(f"RADIUS client {client.name} added for {client.network}")
    else:
        click.echo(f"RADIUS client {client.name} for {client.network}: shared secret {shown}")
        click.echo("Store it now: it cannot be shown again.", err=True)


@radius_client_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_clients(as_json: bool) -> None:
    """List the clients (never their secrets)."""
    with runtime() as rt:
        rows = rt.transaction(
            lambda uow, op: [
                (client, uow.companies.get(client.company_id))
                for client, _ in uow.radius_clients.all()
            ]
        )
    listed = [
        {
            "name": client.name,
            "address": str(client.network),
            "company": company.name if company else None,
            "requireMessageAuthenticator": client.require_message_authenticator,
            "createdAt": format_timestamp(client.created_at),
        }
        for client, company in rows
    ]
    if as_json:
        emit_json(listed)
        return
    for entry in listed:
        required = "required" if entry["requireMessageAuthenticator"] else "not required"
        click.echo(
            f"{entry['name']}\t{entry['address']}\t{entry['company']}\t"
            f"Message-Authenticator {required}\tcreated {entry['createdAt']}"
        )


@radius_client_group.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Remove a client: its requests are dropped from now on."""
    with runtime() as rt:
        rt.transaction(lambda uow, op: remove_radius_client(uow, op, name))
    click.echo(f"RADIUS client {name} removed")
