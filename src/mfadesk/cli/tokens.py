"""`mfadesk token …`: SID700 hardware tokens of the local database."""

from __future__ import annotations

import click

from mfadesk.cli.runtime import CommandError, emit_json, runtime
from mfadesk.cli.token_import import import_command
from mfadesk.services.provisioning import TokenSeed, add_hardware_token, resolve_company

SEED_HEX_LENGTH = 32


def parse_seed(seed_hex: str | None) -> TokenSeed | None:
    if seed_hex is None:
        return None
    try:
        seed = bytes.fromhex(seed_hex)
    except ValueError as error:
        raise CommandError("--seed must be hexadecimal") from error
    if len(seed) * 2 != SEED_HEX_LENGTH:
        raise CommandError("--seed must be a 128-bit seed (32 hex digits)")
    return TokenSeed(seed)


@click.group("token")
def token_group() -> None:
    """SID700 hardware tokens."""


@token_group.command("add")
@click.option("--serial", required=True, help="Serial number (at most 36 characters).")
@click.option("--user", "user_email", default=None, help="Assign to this user (e-mail) and enable.")
@click.option("--seed", "seed_hex", default=None, help="128-bit seed, hex (default: random).")
@click.option("--company", default=None, help="Company name (default: the only one).")
@click.option("--json", "as_json", is_flag=True)
def add(
    serial: str, user_email: str | None, seed_hex: str | None, company: str | None, as_json: bool
) -> None:
    """Add a SID700 token; assigned and Enabled when --user is given."""
    seed = parse_seed(seed_hex)
    with runtime() as rt:
        token = rt.transaction(
            lambda uow, op: add_hardware_token(
                uow, op, resolve_company(uow, company), serial, user_email, seed
            )
        )
    if as_json:
        emit_json(
            {
                "tokenSerialNumber": token.serial,
                "userId": token.user_id,
                "tokenStatus": token.status.value,
            }
        )
    else:
        owner = f"assigned to {token.user_id}" if token.user_id else "unassigned"
        click.echo(f"hardware token {token.serial}: {token.status.value}, {owner}")


token_group.add_command(import_command)


@token_group.command("code")
@click.argument("serial")
@click.option("--company", default=None, help="Company name (default: the only one).")
def code(serial: str, company: str | None) -> None:
    """Print the current tokencode of an assigned, enabled SID700 token or DS100 OTP
    credential whose seed mfadesk holds (audited)."""
    from mfadesk.services.operator_console import current_tokencode

    with runtime() as rt:
        shown = rt.transaction(
            lambda uow, op: current_tokencode(uow, op, resolve_company(uow, company), serial)
        )
    click.echo(shown)
