"""`mfadesk api audit export`: the administration audit log of a time window."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from mfadesk.cli.remote.output import body, emit_json, emit_json_array, show_table
from mfadesk.cli.remote.session import remote, remote_options
from mfadesk.client import AsyncAdminClient
from mfadesk.wire.admin_logs import AdminLogEntry

COLUMNS = (
    "eventLogDate", "adminUserName", "activityKey", "result", "targetObject1Name",
    "sourceIPAddress", "message",
)  # fmt: skip
WRAPPED = ("message",)


def _moment(ctx: click.Context, param: click.Parameter, value: str) -> datetime:
    """ISO 8601 with an offset: 2026-11-22T07:10:00Z, 2026-11-22T08:10:00.000+01:00."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time, such as 2026-11-22T07:10:00Z"
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"{value!r} needs an offset (Z, or +01:00): which time zone?")
    return moment


@click.group("audit")
def audit_group() -> None:
    """The administration audit log."""


@audit_group.command("export")
@click.option(
    "--after",
    "start",
    metavar="ISO-TIME",
    required=True,
    callback=_moment,
    help="Events logged after this time (with an offset: 2026-11-22T07:10:00Z).",
)
@click.option(
    "--until",
    "end",
    metavar="ISO-TIME",
    required=True,
    callback=_moment,
    help="Events logged on or before this time.",
)
@click.option("--all", "every_page", is_flag=True, help="Every page of the window.")
@click.option("--page", "page_number", type=click.IntRange(min=0), default=0, help="Page (from 0).")
@click.option(
    "--page-size",
    type=click.IntRange(1, 100),
    default=100,
    show_default=True,
    help="Events per page.",
)
@remote_options
def export(
    start: datetime,
    end: datetime,
    every_page: bool,
    page_number: int,
    page_size: int,
    key_file: Path | None,
    as_json: bool,
) -> None:
    """Audit events logged after --after and on or before --until, oldest first
    (GET v1/adminlog/exportlogs; Super Admin).

    \b
    One page (--page N) by default; --json prints the API's page. With --all, every page
    of the window: --json then prints a JSON array of all the events, as they arrive.
    """
    session = remote(key_file, as_json)
    if every_page and session.as_json:
        session.run(
            lambda client: emit_json_array(client.iter_admin_logs(start, end, page_size=page_size))
        )
        return
    if every_page:
        entries = session.run(lambda client: _every_entry(client, start, end, page_size))
        show_table(
            "Audit events", COLUMNS, [body(e) for e in entries], f"{len(entries)} events", WRAPPED
        )
        return
    page = session.run(
        lambda client: client.export_admin_logs(
            start, end, page_number=page_number, page_size=page_size
        )
    )
    if session.as_json:
        emit_json(body(page))
        return
    caption = f"page {page_number + 1} of {page.totalPages}, {page.totalElements} events"
    if page.totalPages > page_number + 1:
        caption += f" (next: --page {page_number + 1}, or --all)"
    show_table("Audit events", COLUMNS, [body(e) for e in page.elements], caption, WRAPPED)


async def _every_entry(
    client: AsyncAdminClient, start: datetime, end: datetime, page_size: int
) -> list[AdminLogEntry]:
    return [entry async for entry in client.iter_admin_logs(start, end, page_size=page_size)]
