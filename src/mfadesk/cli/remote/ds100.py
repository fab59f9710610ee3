"""`mfadesk api ds100 …`: SecurID DS100 OTP credentials."""

from __future__ import annotations

from pathlib import Path

import click

from mfadesk.cli.remote.actions import UserDirectory, set_ds100
from mfadesk.cli.remote.output import body, emit_json, show_record
from mfadesk.cli.remote.session import remote, remote_options


@click.group("ds100")
def ds100_group() -> None:
    """SecurID DS100 OTP credentials."""


def _set_status(user: str, device: str, key_file: Path | None, as_json: bool, enable: bool) -> None:
    session = remote(key_file, as_json)
    credentials = session.run(
        lambda client: set_ds100(client, UserDirectory(client), user, device, enable)
    )
    if session.as_json:
        emit_json([body(c) for c in credentials])
    else:
        for credential in credentials:
            show_record(f"DS100 OTP credential {credential.tokenSerialNumber}", body(credential))


@ds100_group.command("enable")
@click.option("--user", required=True, help="The user's e-mail or id.")
@click.option("--device", required=True, help="The device's 9-digit serial number.")
@remote_options
def enable(user: str, device: str, key_file: Path | None, as_json: bool) -> None:
    """Enable the device's OTP credentials (PATCH v1/ds100/enable/otp)."""
    _set_status(user, device, key_file, as_json, enable=True)


@ds100_group.command("disable")
@click.option("--user", required=True, help="The user's e-mail or id.")
@click.option("--device", required=True, help="The device's 9-digit serial number.")
@remote_options
def disable(user: str, device: str, key_file: Path | None, as_json: bool) -> None:
    """Disable the device's OTP credentials (PATCH v1/ds100/disable/otp)."""
    _set_status(user, device, key_file, as_json, enable=False)
