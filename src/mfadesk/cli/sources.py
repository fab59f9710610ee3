"""`mfadesk source …`: a company's identity sources (where its users come from)."""

from __future__ import annotations

from functools import partial

import click

from mfadesk.cli.runtime import emit_json, runtime
from mfadesk.domain.clock import format_timestamp
from mfadesk.services.identity_sources import list_sources, remove_source_step
from mfadesk.services.provisioning import Operator, resolve_company
from mfadesk.store.unit_of_work import UnitOfWork


@click.group("source")
def source_group() -> None:
    """Identity sources: local (the command line's users), CSV imports, LDAP, SCIM."""


@source_group.command("list")
@click.option("--company", default=None, help="Company name (default: the only one).")
@click.option("--json", "as_json", is_flag=True)
def list_command(company: str | None, as_json: bool) -> None:
    """The company's identity sources and how many users each holds."""
    with runtime() as rt:
        listing = rt.transaction(lambda uow, op: list_sources(uow, resolve_company(uow, company)))
    rows = [
        {
            "name": item.source.name,
            "kind": item.source.kind.value,
            "users": item.users,
            "createdAt": format_timestamp(item.source.created_at),
        }
        for item in listing
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(
            f"{row['name']}\t{row['kind']}\t{row['users']} users\tcreated {row['createdAt']}"
        )


def _remove_step(
    company: str | None, name: str, force: bool, moved: int, uow: UnitOfWork, op: Operator
) -> int | None:
    return remove_source_step(
        uow, op, resolve_company(uow, company), name, force=force, moved=moved
    )


@source_group.command("remove")
@click.argument("name")
@click.option("--force", is_flag=True, help="Also when it has users: they move to local, disabled.")
@click.option("--company", default=None, help="Company name (default: the only one).")
def remove(name: str, force: bool, company: str | None) -> None:
    """Remove an identity source. Refused while it has users, unless --force: its users then
    move to the local source, Disabled, keeping their authenticators."""
    moved = 0
    with runtime() as rt:
        while (
            step := rt.transaction(partial(_remove_step, company, name, force, moved))
        ) is not None:
            moved += step
    detail = f" ({moved} users moved to local, disabled)" if moved else ""
    click.echo(f"identity source {name!r} removed{detail}")


@source_group.command("add-scim")
@click.option("--name", required=True, help="The source's name (e.g. the provisioning client's).")
@click.option("--company", default=None, help="Company name (default: the only one).")
@click.option("--json", "as_json", is_flag=True, help="Print {name, token, baseUrl} as JSON.")
def add_scim(name: str, company: str | None, as_json: bool) -> None:
    """Add a SCIM 2.0 source: prints the base URL and the bearer token its provisioning client
    (Entra ID, Okta…) uses. The token is shown this once; only its hash is kept. Removing the
    source revokes it."""
    from mfadesk.domain.scim import scim_base_url
    from mfadesk.services.scim_sources import add_scim_source

    with runtime() as rt:
        made = rt.transaction(
            lambda uow, op: add_scim_source(uow, op, resolve_company(uow, company), name)
        )
        base_url = scim_base_url(rt.settings.effective_public_url())
    if as_json:
        emit_json({"name": made.source.name, "token": made.token, "baseUrl": base_url})
        return
    click.echo(f"identity source {made.source.name!r} (scim) created")
    click.echo(f"SCIM base URL: {base_url}")
    click.echo(f"bearer token (shown once; keep it secret): {made.token}")
