"""`mfadesk api user …`: look up, search, enable / disable, mark deleted, delete, devices,
sync."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mfadesk.cli.remote.actions import UserDirectory, set_user_status
from mfadesk.cli.remote.output import (
    body,
    emit_json,
    emit_json_array,
    show_record,
    show_result,
    show_table,
)
from mfadesk.cli.remote.session import remote, remote_options
from mfadesk.client import AsyncAdminClient, UserDetailsResponse
from mfadesk.wire.user_devices import UserDevicesResponse

USER_COLUMNS = ("emailAddress", "id", "userStatus", "emergencyAccessStatus", "markDeleted")


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
    show_result(session.as_json, f"User {details.emailAddress}", details)


@user_group.command("search")
@click.argument("text")
@click.option(
    "--page-size", type=click.IntRange(1, 25), default=25, show_default=True, help="Users per page."
)
@click.option("--page", "page_number", type=click.IntRange(min=0), default=0, help="Page (from 0).")
@click.option("--all", "every_page", is_flag=True, help="Every page, not just one.")
@remote_options
def search(
    text: str,
    page_size: int,
    page_number: int,
    every_page: bool,
    key_file: Path | None,
    as_json: bool,
) -> None:
    """Users whose e-mail contains TEXT, any case, sorted by e-mail (POST v2/users/search).

    \b
    One page (--page N) by default; --json prints the API's page. With --all, every page:
    --json then prints a JSON array of all the users.
    """
    session = remote(key_file, as_json)
    if every_page and session.as_json:
        session.run(lambda client: emit_json_array(client.iter_users(text, page_size=page_size)))
        return
    if every_page:
        users = session.run(lambda client: _every_user(client, text, page_size))
        rows = [body(u) for u in users]
        show_table(f"Users matching {text!r}", USER_COLUMNS, rows, f"{len(rows)} users")
        return
    page = session.run(
        lambda client: client.search_users_v2(text, page_size=page_size, page_number=page_number)
    )
    if session.as_json:
        emit_json(body(page))
        return
    caption = f"page {page_number + 1} of {page.totalPages}, {page.totalElements} users"
    if page.totalPages > page_number + 1:
        caption += f" (next: --page {page_number + 1}, or --all)"
    show_table(f"Users matching {text!r}", USER_COLUMNS, [body(u) for u in page.elements], caption)


async def _every_user(
    client: AsyncAdminClient, text: str, page_size: int
) -> list[UserDetailsResponse]:
    return [user async for user in client.iter_users(text, page_size=page_size)]


@user_group.command("status")
@click.option("--user", required=True, help="The user's e-mail or id.")
@click.argument("status", type=click.Choice(["enabled", "disabled"], case_sensitive=False))
@remote_options
def status(user: str, status: str, key_file: Path | None, as_json: bool) -> None:
    """Enable or disable a user: STATUS is enabled or disabled
    (PUT v1/users/{id}/userStatus; Super Admin)."""
    session = remote(key_file, as_json)
    enable = status.lower() == "enabled"
    changed = session.run(
        lambda client: set_user_status(client, UserDirectory(client), user, enable)
    )
    show_result(session.as_json, f"User {user}", changed)


@user_group.command("mark-deleted")
@click.option("--user", required=True, help="The user's e-mail or id.")
@click.option("--undo", is_flag=True, help="Take the mark back.")
@remote_options
def mark_deleted(user: str, undo: bool, key_file: Path | None, as_json: bool) -> None:
    """Mark a disabled user deleted, or take the mark back with --undo
    (PUT v1/users/{id}/markDeleted; Super Admin)."""
    session = remote(key_file, as_json)

    async def mark(client: AsyncAdminClient) -> Any:
        ref = await UserDirectory(client).resolve(user)
        return await client.mark_user_deleted(ref.id, not undo)

    marked = session.run(mark)
    show_result(session.as_json, f"User {user}", marked)


@user_group.command("delete")
@click.option("--user", required=True, help="The user's e-mail or id.")
@remote_options
def delete(user: str, key_file: Path | None, as_json: bool) -> None:
    """Delete a disabled user now, for good: their SID700 tokens go back to the pool, their
    DS100 registrations and emergency tokencodes go (DELETE v1/users/{id}; Super Admin)."""
    session = remote(key_file, as_json)

    async def remove(client: AsyncAdminClient) -> dict[str, Any]:
        ref = await UserDirectory(client).resolve(user)
        await client.delete_user(ref.id)
        return {"userId": ref.id, "deleted": True}

    done = session.run(remove)
    if session.as_json:
        emit_json(done)
    else:
        show_record(f"User {user}", done)


@user_group.command("devices")
@click.option("--user", required=True, help="The user's e-mail or id.")
@remote_options
def devices(user: str, key_file: Path | None, as_json: bool) -> None:
    """The user's SID700 tokens and DS100 devices (GET v2/users/{id}/devices)."""
    session = remote(key_file, as_json)

    async def find(client: AsyncAdminClient) -> UserDevicesResponse:
        ref = await UserDirectory(client).resolve(user)
        return await client.list_user_devices(ref.id)

    found = session.run(find)
    if session.as_json:
        emit_json(body(found))
        return
    rows = [
        {
            "type": t.deviceType,
            "serial": t.tokenSerialNumber,
            "name": t.name,
            "status": t.tokenStatus,
            "pinSet": t.pinSet,
            "changed": f"{t.tokenStatusChangedAt} by {t.tokenStatusChangedBy}",
        }
        for t in found.sidTokens
    ]
    rows += [
        {
            "type": d.deviceType,
            "serial": c.tokenSerialNumber,
            "name": f"device {d.deviceSerialNumber}",
            "status": c.tokenStatus,
            "pinSet": c.pinSet,
            "changed": f"{c.tokenStatusChangedAt} by {c.tokenStatusChangedBy}",
        }
        for d in found.devices
        for c in d.otpCredentials
    ]
    columns = ("type", "serial", "name", "status", "pinSet", "changed")
    show_table(f"Authenticators of {user}", columns, rows)


@user_group.command("sync")
@click.option("--user", required=True, help="The user's e-mail or id.")
@remote_options
def sync(user: str, key_file: Path | None, as_json: bool) -> None:
    """Synchronise the user from the identity source (POST v1/users/{id}/sync)."""
    session = remote(key_file, as_json)

    async def synchronise(client: AsyncAdminClient) -> UserDetailsResponse:
        ref = await UserDirectory(client).resolve(user)
        return await client.sync_user(ref.id)

    details = session.run(synchronise)
    show_result(session.as_json, f"User {details.emailAddress}", details)
