"""Only `migrate`, `serve` and `demo` create or upgrade a database or make a master key; every
command refuses a database set up with another key (issue 9, points 12 and 13)."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.store.database import create_db_engine
from mfadesk.store.migrate import alembic_config
from tests.support.databases import empty_postgres_database, table_names
from tests.support.live_server import free_port
from tests.support.operator_cli import Cli

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()

NOT_CREATING = [
    ("user", "add", "--email", "eve@example.com"),
    ("company", "list"),
    ("token", "add", "--serial", "123"),
    ("authn-key", "list"),
    ("audit", "verify"),
    ("settings", "show"),
]


def no_database(url: str) -> str:
    hint = "create it with `mfadesk migrate` (or `mfadesk demo`)"
    return f"mfadesk: error: no mfadesk database at {url}: {hint}"


def other_key(path: Path) -> Path:
    path.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    return path


def test_commands_elsewhere_create_no_database_folder_or_key(tmp_path: Path) -> None:
    """`cd elsewhere && mfadesk user add …` with the default settings (relative paths)."""
    cli = Cli(tmp_path, "")
    del cli.env["MFADESK_DATABASE_URL"], cli.env["MFADESK_SECRET_KEY_FILE"]
    url = f"sqlite:///{tmp_path / 'var' / 'mfadesk.db'}"
    admin = ("admin", "add", "--email", "a@example.com", "--role", "super-admin")
    for args in [*NOT_CREATING, (*admin, "--key-file", str(tmp_path / "ops.key"))]:
        assert cli.fails(*args) == no_database(url), args
    assert list(tmp_path.iterdir()) == []


def test_an_empty_sqlite_file_gets_no_schema(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    cli = Cli(tmp_path, f"sqlite:///{empty}")
    assert cli.fails("user", "add", "--email", "eve@example.com") == no_database(
        f"sqlite:///{empty}"
    )
    assert empty.stat().st_size == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


@pytest.mark.postgres
def test_a_wrong_postgresql_database_gets_no_schema(tmp_path: Path) -> None:
    with empty_postgres_database() as url:
        cli = Cli(tmp_path, url)
        line = cli.fails("user", "add", "--email", "eve@example.com")
        assert line.startswith("mfadesk: error: no mfadesk database at postgresql")
        assert table_names(url) == []
        assert not (tmp_path / "secret.key").exists()


def test_an_old_schema_is_migrated_only_by_migrate_which_records_the_key(tmp_path: Path) -> None:
    """A database from before 0010 and its key file: commands ask for `mfadesk migrate`, which
    records the key in use; from then on another key is refused."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_db_engine(url)
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
        connection.commit()
    engine.dispose()
    cli = Cli(tmp_path, url)
    refused = cli.fails("user", "add", "--email", "eve@example.com")
    assert refused == (
        f"mfadesk: error: the database at {url} is at schema 0009, this mfadesk needs {HEAD}: "
        "run `mfadesk migrate`"
    )
    # The key file went missing: migrate makes no new key for a database that has a schema.
    missing = cli.fails("migrate")
    assert "does not exist, but the database at" in missing
    assert not (tmp_path / "secret.key").exists()

    load_or_create_server_keys(tmp_path / "secret.key")  # the key the old server used
    migrated = cli.run("migrate").stdout.splitlines()
    assert migrated == [
        f"database {url}: schema 0009 -> {HEAD}",
        f"master key {tmp_path / 'secret.key'} recorded as the database's key",
    ]
    cli.run("company", "add", "Acme")
    cli.env["MFADESK_SECRET_KEY_FILE"] = str(other_key(tmp_path / "other.key"))
    assert "was set up with another master key than" in cli.fails("company", "list")


def test_another_or_a_missing_key_is_refused_by_every_command(
    tmp_path: Path, database_url: str
) -> None:
    cli = Cli(tmp_path, database_url).prepare()
    cli.run("user", "add", "--email", "eve@example.com")
    port = str(free_port())
    cli.env["MFADESK_SECRET_KEY_FILE"] = str(other_key(tmp_path / "other.key"))
    for args in [("user", "add", "--email", "bob@example.com"), ("migrate",), ("demo",),
                 ("serve", "--port", port)]:  # fmt: skip
        line = cli.fails(*args)
        assert "was set up with another master key than" in line, (args, line)
        assert line.endswith("set MFADESK_SECRET_KEY_FILE to its key file")
    missing = tmp_path / "nowhere" / "secret.key"
    cli.env["MFADESK_SECRET_KEY_FILE"] = str(missing)
    for args in [("company", "list"), ("migrate",), ("serve", "--port", port)]:
        assert f"secret key file {missing} does not exist" in cli.fails(*args), args
    assert not missing.parent.exists()
    assert not (tmp_path / "var").exists()  # demo made no key files either


def test_migrate_creates_a_database_and_its_key_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'mfadesk.db'}"
    cli = Cli(tmp_path, url)
    key_file = tmp_path / "secret.key"
    assert cli.run("migrate").stdout.splitlines() == [
        f"database {url}: created at schema {HEAD}",
        f"master key created in {key_file}: back it up, apart from the database",
        f"master key {key_file} recorded as the database's key",
    ]
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    assert cli.run("migrate").stdout.splitlines() == [f"database {url}: schema {HEAD}, up to date"]
    assert cli.json("company", "list") == []
