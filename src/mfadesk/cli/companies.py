"""`mfadesk company …`: the companies (tenants) of the local database."""

from __future__ import annotations

import click

from mfadesk.cli.runtime import emit_json, runtime
from mfadesk.services.provisioning import add_company


@click.group("company")
def company_group() -> None:
    """Companies: every other command's --company names one of these."""


@company_group.command("list")
@click.option("--json", "as_json", is_flag=True, help='Print [{"id", "name"}] as JSON.')
def list_companies(as_json: bool) -> None:
    """List the companies by name."""
    with runtime() as rt:
        companies = rt.transaction(lambda uow, op: uow.companies.list())
    if as_json:
        emit_json([{"id": c.id, "name": c.name} for c in companies])
        return
    for company in companies:
        click.echo(f"{company.name}\t{company.id}")


@company_group.command("add")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help='Print {"id", "name"} as JSON.')
def add(name: str, as_json: bool) -> None:
    """Add a company (audited)."""
    with runtime() as rt:
        company = rt.transaction(lambda uow, op: add_company(uow, op, name))
    if as_json:
        emit_json({"id": company.id, "name": company.name})
    else:
        click.echo(f"company {company.name}: {company.id}")
