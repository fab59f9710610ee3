"""`mfadesk api token …`: SID700 hardware tokens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel

from mfadesk.cli.remote.actions import (
    UserDirectory,
    assign_hardware_token,
    delete_hardware_token,
    set_hardware_token,
    show_hardware_token,
    unassign_hardware_token,
)
from mfadesk.cli.remote.output import show_result
from mfadesk.cli.remote.session import remote, remote_options
from mfadesk.client import AsyncAdminClient

USER = click.option("--user", required=True, help="The user's e-mail or id.")
SERIAL = click.option("--serial", required=True, help="The token's serial number.")
HOLDER = click.option(
    "--user", default=None, help="Only if the token is assigned to this user (e-mail or id)."
)


@click.group("token")
def token_group() -> None:
    """SID700 hardware tokens."""


def _run(
    key_file: Path | None,
    as_json: bool,
    work: Callable[[AsyncAdminClient, UserDirectory], Any],
    title: Callable[[Any], str] = lambda result: f"Hardware token {result.tokenSerialNumber}",
) -> None:
    session = remote(key_file, as_json)
    result: BaseModel = session.run(lambda client: work(client, UserDirectory(client)))
    show_result(session.as_json, title(result), result)


@token_group.command("enable")
@USER
@SERIAL
@remote_options
def enable(user: str, serial: str, key_file: Path | None, as_json: bool) -> None:
    """Enable the token assigned to the user (PATCH v1/users/{id}/sidTokens/enable)."""
    _run(key_file, as_json, lambda c, u: set_hardware_token(c, u, user, serial, True))


@token_group.command("disable")
@USER
@SERIAL
@remote_options
def disable(user: str, serial: str, key_file: Path | None, as_json: bool) -> None:
    """Disable the token assigned to the user (PATCH v1/users/{id}/sidTokens/disable)."""
    _run(key_file, as_json, lambda c, u: set_hardware_token(c, u, user, serial, False))


@token_group.command("assign")
@USER
@SERIAL
@click.option("--name", default=None, help="The token's name (default: its serial number).")
@remote_options
def assign(user: str, serial: str, name: str | None, key_file: Path | None, as_json: bool) -> None:
    """Assign a spare token to the user, which enables it
    (PATCH v1/users/{id}/sidTokens/assign). Again for the same user: renames it."""
    _run(key_file, as_json, lambda c, u: assign_hardware_token(c, u, user, serial, name))


@token_group.command("unassign")
@USER
@SERIAL
@remote_options
def unassign(user: str, serial: str, key_file: Path | None, as_json: bool) -> None:
    """Return the user's token to the spare pool, Disabled
    (PATCH v1/users/{id}/sidTokens/unassign)."""
    _run(key_file, as_json, lambda c, u: unassign_hardware_token(c, u, user, serial))


@token_group.command("delete")
@HOLDER
@SERIAL
@remote_options
def delete(user: str | None, serial: str, key_file: Path | None, as_json: bool) -> None:
    """Delete a token record (DELETE v1/sidTokens/delete; Super Admin). With --user, only
    if the token is that user's (checked first); shows the token as it was."""
    _run(
        key_file,
        as_json,
        lambda c, u: delete_hardware_token(c, u, user, serial),
        lambda token: f"Deleted hardware token {token.tokenSerialNumber}",
    )


@token_group.command("show")
@HOLDER
@SERIAL
@remote_options
def show(user: str | None, serial: str, key_file: Path | None, as_json: bool) -> None:
    """A token's details: status, holder, PIN, expiry (POST v1/sidTokens/lookup). With
    --user, exit 1 unless the token is that user's."""
    _run(key_file, as_json, lambda c, u: show_hardware_token(c, u, user, serial))


@token_group.command("clear-pin")
@USER
@SERIAL
@remote_options
def clear_pin(user: str, serial: str, key_file: Path | None, as_json: bool) -> None:
    """Clear the PIN of the user's token; the user sets a new one at the next sign-in
    (PATCH v2/users/{id}/sidTokens/clearPin)."""

    async def clear(client: AsyncAdminClient, users: UserDirectory) -> Any:
        ref = await users.resolve(user)
        return await client.clear_hardware_token_pin(ref.id, serial)

    _run(key_file, as_json, clear)
