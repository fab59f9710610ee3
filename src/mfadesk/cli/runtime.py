"""What every operator command shares: settings, the database and its master key, one-line
errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from mfadesk.domain.errors import DomainError
from mfadesk.otp.secret_key import SecretKeyError
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import Operator
from mfadesk.services.startup import Opened, StartupError, open_creating, open_existing
from mfadesk.settings import Settings, SettingsError
from mfadesk.store.database import Database
from mfadesk.store.errors import DatabaseUnavailable, describe_database_error, display_url
from mfadesk.store.unit_of_work import UnitOfWork

T = TypeVar("T")


class CommandError(click.ClickException):
    """Printed as one line on stderr; exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"mfadesk: error: {self.format_message()}", err=True)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    env: ServiceEnv

    def transaction(self, fn: Callable[[UnitOfWork, Operator], T]) -> T:
        operator = Operator.start(self.env)
        with self.db.unit_of_work() as uow:
            return fn(uow, operator)


def open_database(settings: Settings, *, create: bool) -> Opened:
    """`open_creating` (migrate, serve, demo) or `open_existing` (every other command), their
    failures as one-line `CommandError`s."""
    try:
        return open_creating(settings) if create else open_existing(settings)
    except (StartupError, SecretKeyError, DatabaseUnavailable) as error:
        raise CommandError(str(error)) from error
    except Exception as error:  # an unusable URL, a missing driver, a failed migration…
        detail = describe_database_error(error) or f"{type(error).__name__}: {error}"
        where = display_url(settings.database_url)
        raise CommandError(f"cannot open the database at {where}: {detail}") from error


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise CommandError(str(error)) from error


@contextmanager
def runtime(*, create: bool = False) -> Iterator[Runtime]:
    """The configured database and its master key; only with `create` (demo) are they made
    or the schema upgraded."""
    settings = load_settings()
    opened = open_database(settings, create=create)
    db = opened.db
    try:
        yield Runtime(settings, db, ServiceEnv(keys=opened.keys))
    except DomainError as error:
        raise CommandError(error.description) from error
    except Exception as error:
        if isinstance(error, click.ClickException):
            raise
        detail = describe_database_error(error)
        if detail is not None:
            raise CommandError(f"database error: {detail}") from error
        raise CommandError(f"{type(error).__name__}: {error}") from error
    finally:
        db.close()


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2))


def fail(message: str) -> None:
    click.echo(f"mfadesk: error: {message}", err=True)
    sys.exit(1)
