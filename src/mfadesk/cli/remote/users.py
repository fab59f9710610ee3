"""`mfadesk api user …`."""

from __future__ import annotations

from pathlib import Path

import click

from mfadesk.cli.remote.output import body, emit_json, show_record
from mfadesk.cli.remote.session import remote, remote_options


@click.group("user")
def user_group() -> None:
    """Users of the remote service."""


@user_group.command("show")
@click.argument("email")
@remote_options
def show(email: str, key_file: Path | None, as_json: bool) -> None:
    """A user's details and emergency-access status (POST v1/users/lookup)."""
    session = remote(key_file, as_json)
    details = session.run(lambda client: client.lookup_user(email))
    if session.as_json:
        emit_json(body(details))
    else:
        show_record(f"User {details.emailAddress}", body(details))
