"""What every operator command shares: settings, an up-to-date database, one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from mfadesk.domain.errors import DomainError
from mfadesk.otp.secret_key import SecretKeyError, load_server_keys
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import Operator
from mfadesk.settings import Settings, SettingsError
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
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


@contextmanager
def runtime() -> Iterator[Runtime]:
    """Open the configured database (migrating it first) and the server keys."""
    try:
        settings = Settings.from_env()
        keys = load_server_keys(settings.secret_key_file)
        db = Database(settings.database_url, sqlite_sync=settings.sqlite_sync)
    except (SettingsError, SecretKeyError) as error:
        raise CommandError(str(error)) from error
    except Exception as error:  # an unusable URL, a missing driver…
        raise CommandError(f"cannot open the database: {error}") from error
    try:
        upgrade(db.engine)
        yield Runtime(settings, db, ServiceEnv(keys=keys))
    except DomainError as error:
        raise CommandError(error.description) from error
    except Exception as error:
        if isinstance(error, click.ClickException):
            raise
        raise CommandError(f"{type(error).__name__}: {error}") from error
    finally:
        db.close()


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2))


def fail(message: str) -> None:
    click.echo(f"mfadesk: error: {message}", err=True)
    sys.exit(1)
