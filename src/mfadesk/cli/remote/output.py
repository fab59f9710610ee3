"""Human output (rich tables on stdout) and script output (JSON, the API's own bodies)."""

from __future__ import annotations

import json
from collections.abc import Mapping
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


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def show_record(title: str, fields: Mapping[str, Any]) -> None:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name, value in fields.items():
        table.add_row(name, _text(value))
    Console().print(table)
