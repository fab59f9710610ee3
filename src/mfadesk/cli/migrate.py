"""`mfadesk migrate`: create or upgrade the database, and settle its master key."""

from __future__ import annotations

import click

from mfadesk.cli.runtime import load_settings, open_database
from mfadesk.store.errors import display_url


@click.command("migrate")
def migrate() -> None:
    """Create the database or bring its schema up to date; record its master key.

    A new database gets a new master key (MFADESK_SECRET_KEY_FILE) unless that file exists;
    an existing one keeps its key: with another key file this refuses.
    """
    settings = load_settings()
    opened = open_database(settings, create=True)
    opened.db.close()
    where, before, head = display_url(settings.database_url), opened.before, opened.before.head
    if before.revision is None:
        click.echo(f"database {where}: created at schema {head}")
    elif before.is_current:
        click.echo(f"database {where}: schema {head}, up to date")
    else:
        click.echo(f"database {where}: schema {before.revision} -> {head}")
    if opened.key_created:
        key_file = settings.secret_key_file
        click.echo(f"master key created in {key_file}: back it up, apart from the database")
    if opened.fingerprint_recorded:
        click.echo(f"master key {settings.secret_key_file} recorded as the database's key")
