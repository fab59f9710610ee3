"""`mfadesk source …`: a company's identity sources (where its users come from)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from mfadesk.cli.runtime import CommandError, emit_json, runtime
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.ldap_sources import (
    AD_USER_FILTER,
    PLAIN_USER_FILTER,
    AttributeMap,
    LdapSettings,
    parse_interval,
)
from mfadesk.services.identity_sources import list_sources, remove_source_step
from mfadesk.services.ldap_sync import SyncTarget, add_ldap_source, sync_source, sync_targets
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


def _read_password(path: Path) -> str:
    """The file's content less one line ending: passwords never come on a command line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(
            f"cannot read {path}: {getattr(error, 'strerror', None) or error}"
        ) from None
    return text.removesuffix("\n").removesuffix("\r")


@source_group.command("add-ldap")
@click.option("--name", required=True, help="A name for the source (identitySource).")
@click.option("--url", required=True, help="ldap://host[:port] or ldaps://host[:port].")
@click.option("--bind-dn", required=True, help="The DN mfadesk binds as (read access suffices).")
@click.option(
    "--bind-password-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A file holding the bind password (kept encrypted under the master key).",
)
@click.option("--base-dn", required=True, help="Where the users are searched (subtree).")
@click.option("--user-filter", default=None, help="LDAP filter selecting the users.")
@click.option("--email-attribute", default=None, help="[default: mail]")
@click.option("--username-attribute", default=None, help="[default: uid; AD: sAMAccountName]")
@click.option("--first-name-attribute", default=None, help="[default: givenName]")
@click.option("--last-name-attribute", default=None, help="[default: sn]")
@click.option("--id-attribute", default=None, help="[default: entryUUID; AD: objectGUID]")
@click.option(
    "--active-directory",
    is_flag=True,
    help="Active Directory defaults; userAccountControl's disabled bit disables the user.",
)
@click.option("--start-tls", is_flag=True, help="StartTLS on an ldap:// URL.")
@click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CA certificates (PEM) that the directory's certificate must chain to.",
)
@click.option("--sync-interval", default="15m", show_default=True, help="e.g. 15m, 1h, 900s.")
@click.option("--company", default=None, help="Company name (default: the only one).")
def add_ldap(
    name: str,
    url: str,
    bind_dn: str,
    bind_password_file: Path,
    base_dn: str,
    user_filter: str | None,
    email_attribute: str | None,
    username_attribute: str | None,
    first_name_attribute: str | None,
    last_name_attribute: str | None,
    id_attribute: str | None,
    active_directory: bool,
    start_tls: bool,
    ca_file: Path | None,
    sync_interval: str,
    company: str | None,
) -> None:
    """Add an LDAP or Active Directory source; `mfadesk source sync` (or the running service,
    every --sync-interval) brings its users in."""
    password = _read_password(bind_password_file)
    defaults = AttributeMap.defaults(active_directory)
    attributes = AttributeMap(
        email=email_attribute or defaults.email,
        username=username_attribute or defaults.username,
        first_name=first_name_attribute or defaults.first_name,
        last_name=last_name_attribute or defaults.last_name,
        unique_id=id_attribute or defaults.unique_id,
        alternate_username=defaults.alternate_username,
    )
    with runtime() as rt:
        settings = LdapSettings(
            url=url,
            bind_dn=bind_dn,
            base_dn=base_dn,
            user_filter=user_filter or (AD_USER_FILTER if active_directory else PLAIN_USER_FILTER),
            attributes=attributes,
            active_directory=active_directory,
            start_tls=start_tls,
            ca_file=None if ca_file is None else str(ca_file.resolve()),
            sync_interval_seconds=parse_interval(sync_interval),
        )
        source = rt.transaction(
            lambda uow, op: add_ldap_source(
                uow, op, resolve_company(uow, company), name, settings, password
            )
        )
    click.echo(f"identity source {source.name!r} added (ldap, {settings.url})")


@source_group.command("sync")
@click.argument("name", required=False)
@click.option("--company", default=None, help="Company name (default: the only one).")
@click.option("--json", "as_json", is_flag=True)
def sync(name: str | None, company: str | None, as_json: bool) -> None:
    """Synchronise an LDAP source now (without NAME: every LDAP source of the company) and
    print what changed: created, updated, disabled, enabled, unchanged, conflicts."""
    results: list[dict[str, object]] = []
    with runtime() as rt:
        target = rt.transaction(partial(_sync_targets, company, name))
        holder = f"cli-{rt.env.random.uuid4()}"
        for access in target.accesses:
            report = sync_source(rt.transaction, target.company, access, holder=holder)
            results.append(
                {
                    "name": access.source.name,
                    **report.counts(),
                    "conflictDetails": report.conflict_details,
                }
            )
    if as_json:
        emit_json(results)
        return
    if not results:
        click.echo("no LDAP identity source to synchronise")
    for result in results:
        counts = ", ".join(
            f"{count} {key}"
            for key, count in result.items()
            if key not in ("name", "conflictDetails")
        )
        click.echo(f"{result['name']}: {counts}")
        for detail in result["conflictDetails"]:  # type: ignore[attr-defined]
            click.echo(f"  conflict: {detail}", err=True)


def _sync_targets(
    company: str | None, name: str | None, uow: UnitOfWork, op: Operator
) -> SyncTarget:
    return sync_targets(uow, op, company, name)
