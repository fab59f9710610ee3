"""`mfadesk user …`: users of the local database: add, import from CSV, purge."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from mfadesk.cli.csv_records import open_csv
from mfadesk.cli.import_report import progress_bar, show_report
from mfadesk.cli.runtime import emit_json, runtime
from mfadesk.domain.import_rows import USER_FORM
from mfadesk.domain.users import PURGE_AFTER
from mfadesk.services.provisioning import add_user, resolve_company
from mfadesk.services.user_import import import_users
from mfadesk.services.user_removal import PURGED_BY_OPERATOR, PurgedUser, purge_marked_users


@click.group("user")
def user_group() -> None:
    """Users."""


@user_group.command("add")
@click.option("--email", required=True)
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.option("--disabled", is_flag=True, help="Create the user Disabled.")
@click.option("--company", default=None, help="Company name (default: the only one).")
@click.option("--json", "as_json", is_flag=True)
def add(
    email: str, first_name: str, last_name: str, disabled: bool, company: str | None, as_json: bool
) -> None:
    """Create a user."""
    with runtime() as rt:
        user = rt.transaction(
            lambda uow, op: add_user(
                uow, op, resolve_company(uow, company), email, first_name, last_name, disabled
            )
        )
    if as_json:
        emit_json(
            {
                "id": user.id,
                "emailAddress": user.email,
                "firstName": user.first_name,
                "lastName": user.last_name,
                "userStatus": user.status.value,
            }
        )
    else:
        click.echo(f"user {user.email} ({user.status.value}): {user.id}")


@user_group.command("import")
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--source",
    default=None,
    help="Identity source of the users (default: local); a new name makes a CSV source.",
)
@click.option("--company", default=None, help="Company name (default: the only one).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_command(csv_file: Path, source: str | None, company: str | None, as_json: bool) -> None:
    """Create or update users from a CSV file:
    emailAddress,firstName,lastName[,userStatus][,principalUsername].

    \b
    A header row first; UTF-8. Rows are matched by e-mail (any case): new ones are created
    (Enabled unless userStatus says Disabled), known ones of the same source updated.
    Rejected rows are listed with their line and reason; the others are imported all the
    same. Importing a file twice changes nothing.
    """
    with (
        open_csv(csv_file, USER_FORM) as data,
        runtime() as rt,
        progress_bar("importing users", data.size) as advance,
    ):
        result = import_users(
            rt.transaction,
            data.records,
            data.positions,
            company=company,
            source=source,
            file_name=csv_file.name,
            on_progress=advance,
        )
    if not as_json and result.source_created:
        click.echo(f"identity source {result.source.name!r} (csv) created")
    show_report(result.report, as_json, source=result.source.name)


@user_group.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=0),
    default=PURGE_AFTER.days,
    show_default=True,
    help="Delete users marked deleted at least this many days ago.",
)
@click.option("--json", "as_json", is_flag=True)
def purge(days: int, as_json: bool) -> None:
    """Delete the users marked deleted at least --older-than days ago (every company), as the
    running service does seven days after the mark: their tokens go back to the pool, their
    DS100 registrations and emergency tokencodes go. Each user is audited."""
    purged: list[PurgedUser] = []
    with runtime() as rt:
        while True:
            batch = purge_marked_users(
                rt.db.unit_of_work, rt.env, PURGED_BY_OPERATOR, timedelta(days=days)
            )
            purged += batch.purged
            if batch.finished:
                break
    if as_json:
        emit_json({"purged": [{"id": u.id, "emailAddress": u.email} for u in purged]})
        return
    click.echo(f"purged {len(purged)} users")
    for user in purged:
        click.echo(f"  {user.email} ({user.id})")
