"""A click group that imports a subcommand's module only when that subcommand runs.

``mfadesk api user show`` then loads the SDK and the remote commands, not the database layer
the operator commands need (and the other way round), so a command starts in a fraction of
the time. Listing the commands (``--help``) still imports them all, for their help texts.

A command whose dependencies come with an extra (``mfadesk[server]``) that is not installed
is listed all the same, and running it prints one line saying what to install (exit 1).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, NoReturn

import click

OWN_PACKAGE = "mfadesk"


class LazyGroup(click.Group):
    """`lazy_commands` maps a command name to ``"package.module:attribute"``; `extras` maps
    a command name to the extra its dependencies come with. Commands added with
    `add_command` work as in any group."""

    def __init__(
        self,
        *args: Any,
        lazy_commands: Mapping[str, str] | None = None,
        extras: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})
        self.extras = dict(extras or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            self.add_command(self._load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, name: str) -> click.Command:
        module_name, _, attribute = self.lazy_commands[name].partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            missing = error.name or ""
            extra = self.extras.get(name)
            if extra is None or missing.partition(".")[0] in ("", OWN_PACKAGE):
                raise  # not a missing extra: a broken install or a bug
            return _needs_extra(name, extra, missing)
        command = getattr(module, attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy_commands[name]} is not a click command")
        return command


def _needs_extra(name: str, extra: str, missing: str) -> click.Command:
    """A stand-in for a command whose extra is not installed: any arguments, one line."""

    def refuse() -> NoReturn:
        click.echo(
            f"mfadesk: error: 'mfadesk {name}' needs the {extra} dependencies, which are not"
            f" installed (no module {missing!r}): install mfadesk[{extra}]",
            err=True,
        )
        raise SystemExit(1)

    return click.Command(
        name,
        callback=refuse,
        short_help=f"(install mfadesk[{extra}] to use it)",
        add_help_option=False,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
