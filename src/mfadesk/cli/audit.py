"""`mfadesk audit …`: the tamper-evident audit trail."""

from __future__ import annotations

import click

from mfadesk.cli.runtime import CommandError, runtime
from mfadesk.services.audit import events_by_company_name, verify_chain


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
def verify() -> None:
    """Check the hash chain: exit 0 if intact, 1 if a row was altered or removed.

    Also counts the events per company: a company's count is what its admin log export
    counts over a window that holds them all."""
    with runtime() as rt:
        report = verify_chain(rt.db.unit_of_work)
        if not report.ok:
            raise CommandError(
                f"audit trail broken: {report.problem} ({report.checked} rows intact)"
            )
        counts = events_by_company_name(rt.db.unit_of_work, report)
    click.echo(f"audit trail intact: {report.checked} events")
    width = len(str(max((count for _, count in counts), default=0)))
    for name, count in counts:
        click.echo(f"  {count:>{width}}  {name}")
