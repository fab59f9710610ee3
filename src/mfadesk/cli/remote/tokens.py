"""`mfadesk api token …`: SID700 hardware tokens."""

from __future__ import annotations

from pathlib import Path

import click

from mfadesk.cli.remote.actions import UserDirectory, set_hardware_token
from mfadesk.cli.remote.output import body, emit_json, show_record
from mfadesk.cli.remote.session import remote, remote_options


@click.group("token")
def token_group() -> None:
    """SID700 hardware tokens."""


def _set_status(user: str, serial: str, key_file: Path | None, as_json: bool, enable: bool) -> None:
    session = remote(key_file, as_json)
    status = session.run(
        lambda client: set_hardware_token(client, UserDirectory(client), user, serial, enable)
    )
    if session.as_json:
        emit_json(body(status))
    else:
        show_record(f"Hardware token {status.tokenSerialNumber}", body(status))


@token_group.command("enable")
@click.option("--user", required=True, help="The user's e-mail or id.")
@click.option("--serial", required=True, help="The token's serial number.")
@remote_options
def enable(user: str, serial: str, key_file: Path | None, as_json: bool) -> None:
    """Enable the token assigned to the user (PATCH v1/users/{id}/sidTokens/enable)."""
    _set_status(user, serial, key_file, as_json, enable=True)


@token_group.command("disable")
@click.option("--user", required=True, help="The user's e-mail or id.")
@click.option("--serial", required=True, help="The token's serial number.")
@remote_options
def disable(user: str, serial: str, key_file: Path | None, as_json: bool) -> None:
    """Disable the token assigned to the user (PATCH v1/users/{id}/sidTokens/disable)."""
    _set_status(user, serial, key_file, as_json, enable=False)
