"""`mfadesk ds100 …`: SecurID DS100 devices of the local database."""

from __future__ import annotations

import click

from mfadesk.cli.runtime import emit_json, runtime
from mfadesk.domain.clock import format_timestamp
from mfadesk.services.provisioning import add_ds100, resolve_company


@click.group("ds100")
def ds100_group() -> None:
    """SecurID DS100 devices and their OTP credentials."""


@ds100_group.command("add")
@click.option("--device-serial", required=True, help="The 9-digit device serial number.")
@click.option("--user", "user_email", required=True, help="Register the device to this user.")
@click.option("--company", default=None, help="Company name (default: the only one).")
@click.option("--json", "as_json", is_flag=True)
def add(device_serial: str, user_email: str, company: str | None, as_json: bool) -> None:
    """Register a DS100 device to a user; prints its OTP credential(s)."""
    with runtime() as rt:
        user, credentials = rt.transaction(
            lambda uow, op: add_ds100(
                uow, op, resolve_company(uow, company), device_serial, user_email
            )
        )
    if as_json:
        emit_json(
            [
                {
                    "userId": user.id,
                    "tokenSerialNumber": c.serial,
                    "tokenStatus": c.status.value,
                    "tokenStatusChangedAt": format_timestamp(c.status_changed_at),
                    "tokenStatusChangedBy": c.status_changed_by,
                    "deviceSerialNumber": c.device_serial,
                }
                for c in credentials
            ]
        )
    else:
        serials = ", ".join(c.serial for c in credentials)
        click.echo(f"DS100 device {device_serial} registered to {user.email}: OTP {serials}")
