"""`mfadesk api ds100 …`: SecurID DS100 OTP credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mfadesk.cli.remote.actions import UserDirectory, ds100_credentials, set_ds100
from mfadesk.cli.remote.output import body, emit_json, show_record, show_table
from mfadesk.cli.remote.session import remote, remote_options
from mfadesk.client import AsyncAdminClient
from mfadesk.wire.ds100 import Ds100PinResponse

USER = click.option("--user", required=True, help="The user's e-mail or id.")
CREDENTIAL = click.option(
    "--credential",
    default=None,
    help="One OTP credential's 12-digit serial (default: every credential of the device).",
)

DEVICE = click.option("--device", required=True, help="The device's 9-digit serial number.")
ANY_DEVICE = click.option(
    "--device", default=None, help="The device's 9-digit serial number (all its credentials)."
)


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
@USER
@DEVICE
@remote_options
def enable(user: str, device: str, key_file: Path | None, as_json: bool) -> None:
    """Enable the device's OTP credentials (PATCH v1/ds100/enable/otp)."""
    _set_status(user, device, key_file, as_json, enable=True)


@ds100_group.command("disable")
@USER
@DEVICE
@remote_options
def disable(user: str, device: str, key_file: Path | None, as_json: bool) -> None:
    """Disable the device's OTP credentials (PATCH v1/ds100/disable/otp)."""
    _set_status(user, device, key_file, as_json, enable=False)


@ds100_group.command("show")
@DEVICE
@remote_options
def show(device: str, key_file: Path | None, as_json: bool) -> None:
    """The device's OTP credentials and whom it is registered to (POST v1/ds100/lookup)."""
    session = remote(key_file, as_json)
    credentials = session.run(lambda client: client.lookup_ds100(device))
    if session.as_json:
        emit_json([body(c) for c in credentials])
        return
    columns = (
        "tokenSerialNumber", "tokenStatus", "pinSet", "assignedUserEmail", "userId",
        "tokenStatusChangedAt", "tokenStatusChangedBy",
    )  # fmt: skip
    caption = "" if credentials else "no OTP credentials (all deleted)"
    show_table(f"DS100 device {device}", columns, [body(c) for c in credentials], caption)


@ds100_group.command("delete")
@USER
@DEVICE
@CREDENTIAL
@remote_options
def delete(
    user: str, device: str, credential: str | None, key_file: Path | None, as_json: bool
) -> None:
    """Delete OTP credentials of the user's device (DELETE v1/ds100/delete/otp; Super Admin).
    The device stays registered to the user."""
    session = remote(key_file, as_json)

    async def remove(client: AsyncAdminClient) -> dict[str, Any]:
        ref = await UserDirectory(client).resolve(user)
        serials = await ds100_credentials(client, ref, device, credential)
        for serial in serials:
            await client.delete_ds100_otp(ref.id, device, serial)
        return {"userId": ref.id, "deviceSerialNumber": device, "deleted": serials}

    done = session.run(remove)
    if session.as_json:
        emit_json(done)
    else:
        show_record(f"DS100 device {device}", {**done, "deleted": ", ".join(done["deleted"])})


@ds100_group.command("clear-pin")
@USER
@ANY_DEVICE
@CREDENTIAL
@remote_options
def clear_pin(
    user: str,
    device: str | None,
    credential: str | None,
    key_file: Path | None,
    as_json: bool,
) -> None:
    """Clear the PIN of the user's OTP credential (--credential), or of every credential of
    the user's device (--device) (PATCH v1/ds100/clearPin/otp)."""
    session = remote(key_file, as_json)
    if not (device or credential):
        raise session.usage("give --credential SERIAL, or --device SERIAL for all its credentials")

    async def clear(client: AsyncAdminClient) -> list[Ds100PinResponse]:
        ref = await UserDirectory(client).resolve(user)
        serials = await ds100_credentials(client, ref, device or "", credential)
        return [await client.clear_ds100_otp_pin(ref.id, serial) for serial in serials]

    cleared = session.run(clear)
    if session.as_json:
        emit_json([body(c) for c in cleared])
    else:
        for entry in cleared:
            show_record(f"DS100 OTP credential {entry.tokenSerialNumber}", body(entry))
