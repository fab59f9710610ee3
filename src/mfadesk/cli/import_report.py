"""What the CSV import commands show: a progress bar on a terminal, then the summary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mfadesk.cli.runtime import emit_json
from mfadesk.domain.import_rows import ImportReport


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Any]:
    """A callable that advances the bar by a number of records (drawn on stderr, and only on
    a terminal: rich leaves a pipe alone)."""
    progress = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        task = progress.add_task(label, total=total)
        yield lambda records: progress.advance(task, records)


def show_report(report: ImportReport, as_json: bool, **extra: Any) -> None:
    """Counts, then each rejected row with its line and reason (`--json`: one object)."""
    if as_json:
        emit_json(
            {
                **extra,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": [{"line": r.line, "reason": r.reason} for r in report.rejected],
            }
        )
        return
    click.echo(report.summary())
    for rejected in report.rejected:
        click.echo(f"  line {rejected.line}: {rejected.reason}")
