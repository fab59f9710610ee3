"""`mfadesk user …`: users of the local database."""

from __future__ import annotations

import click

from mfadesk.cli.runtime import emit_json, runtime
from mfadesk.services.provisioning import add_user, resolve_company


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
