"""`mfadesk audit …`: the tamper-evident audit trail."""

from __future__ import annotations

import click

from mfadesk.cli.runtime import CommandError, runtime
from mfadesk.services.audit import verify_chain


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
def verify() -> None:
    """Check the hash chain: exit 0 if intact, 1 if a row was altered or removed."""
    with runtime() as rt:
        report = verify_chain(rt.db.unit_of_work)
    if not report.ok:
        raise CommandError(f"audit trail broken: {report.problem} ({report.checked} rows intact)")
    click.echo(f"audit trail intact: {report.checked} events")
