"""Human output (rich tables on stdout) and script output (JSON, the API's own bodies)."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any

import click
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table


def body(model: BaseModel) -> dict[str, Any]:
    """A wire model as the API sent it."""
    return model.model_dump(mode="json")


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2))


async def emit_json_array(items: AsyncIterator[BaseModel]) -> int:
    """A JSON array written as the items arrive (a long export starts at once and is never
    held whole in memory); returns how many there were. If fetching fails half-way the
    array stays open, and the command exits non-zero."""
    count = 0
    click.echo("[", nl=False)
    async for item in items:
        click.echo(("," if count else "") + "\n  " + json.dumps(body(item)), nl=False)
        count += 1
    click.echo("\n]" if count else "]")
    return count


PIPED_WIDTH = 160  # tables read from a file or a pipe are not held to a terminal's width


def console() -> Console:
    found = Console()
    if not found.is_terminal and "COLUMNS" not in os.environ:
        return Console(width=PIPED_WIDTH)
    return found


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{name} {_text(inner)}" for name, inner in value.items())
    return str(value)


def show_record(title: str, fields: Mapping[str, Any]) -> None:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name, value in fields.items():
        table.add_row(name, _text(value))
    console().print(table)


def show_result(as_json: bool, title: str, result: BaseModel) -> None:
    """One reply: its JSON body with ``--json``, else a record table under `title`."""
    if as_json:
        emit_json(body(result))
    else:
        show_record(title, body(result))


KEPT_WIDTH = 40  # a column other than `wrap` keeps up to this many characters on one line


def show_table(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    caption: str = "",
    wrap: Sequence[str] = (),
) -> None:
    """One row per record, the named fields as columns. Short values (ids, e-mails, times)
    stay on one line where they can; the `wrap` columns (free text) take what is left."""
    cells = [[_text(row.get(name)) for name in columns] for row in rows]
    table = Table(title=title, title_justify="left", caption=caption or None)
    for index, name in enumerate(columns):
        widest = max([len(name), *(len(line[index]) for line in cells)])
        keep = None if name in wrap else min(widest, KEPT_WIDTH)
        table.add_column(name, overflow="fold", min_width=keep)
    for line in cells:
        table.add_row(*line)
    console().print(table)
