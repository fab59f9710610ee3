"""`mfadesk backup FILE` while the server writes, `mfadesk restore FILE` into an empty
database, `mfadesk audit verify` on the restored copy; the master key is never in a backup
(issue 14, point 6)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.support.databases import empty_postgres_database
from tests.support.operator_cli import COMPANY, Cli
from tests.support.serve_process import served_demo_process


@pytest.mark.slow
def test_backup_while_serving_restores_and_verifies(tmp_path: Path) -> None:
    backup = tmp_path / "backups" / "mfadesk.backup"
    backup.parent.mkdir()
    with served_demo_process(tmp_path) as served:
        with served.api() as api:
            alice = api.post("v1/users/lookup", json={"email": "alice@example.com"}).json()["id"]
        stop = threading.Event()
        flips: list[int] = []

        def flip() -> None:
            with served.api() as api:
                for n in range(100_000):
                    if stop.is_set():
                        return
                    verb = "disable" if n % 2 == 0 else "enable"
                    reply = api.patch(
                        f"v1/users/{alice}/sidTokens/{verb}",
                        json={"tokenSerialNumber": "000100000001"},
                    )
                    flips.append(reply.status_code)

        writer = threading.Thread(target=flip)
        writer.start()
        try:
            while len(flips) < 20:
                time.sleep(0.01)
            made = served.mfadesk("backup", str(backup))
            during = len(flips)
            while len(flips) < during + 20:  # the server went on writing
                time.sleep(0.01)
        finally:
            stop.set()
            writer.join(timeout=60)
        assert made.returncode == 0, made.stderr
        assert made.stdout.startswith(f"backup of {served.database} (schema ")
        assert set(flips) == {200}

    # The master key is not in the backup, neither as its file's text nor as its bytes.
    key_text = (tmp_path / "var" / "secret.key").read_bytes().strip()
    copied = backup.read_bytes()
    assert key_text not in copied
    assert base64.b64decode(key_text) not in copied
    assert not Path(f"{backup}-wal").exists()  # one self-contained file

    restored = tmp_path / "restored" / "mfadesk.db"
    target = {"MFADESK_DATABASE_URL": f"sqlite:///{restored}"}
    result = served.mfadesk("restore", str(backup), env=target)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"restored {backup} (schema ")
    verified = served.mfadesk("audit", "verify", env=target)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("audit trail intact: ")

    again = served.mfadesk("restore", str(backup), env=target)
    assert again.returncode == 1
    assert again.stderr == (
        f"mfadesk: error: the database at {restored} is not empty: restore only into an "
        "empty database\n"
    )
    not_a_backup = served.mfadesk(
        "restore",
        str(tmp_path / "var" / "secret.key"),
        env={"MFADESK_DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}"},
    )
    assert not_a_backup.returncode == 1
    assert not_a_backup.stderr.count("\n") == 1


def test_postgres_points_to_pg_dump(tmp_path: Path) -> None:
    env = {"MFADESK_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/none"}
    result = subprocess.run(
        [sys.executable, "-m", "mfadesk", "backup", str(tmp_path / "x")],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("mfadesk: error: the database at postgresql+psycopg://")
    assert "pg_dump --format=custom" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.postgres
def test_postgres_recipe_pg_dump_then_pg_restore_verifies(tmp_path: Path) -> None:
    """The recipe of docs/operations.md, "Backups": pg_dump's custom format, pg_restore into
    an empty database, then `mfadesk audit verify` there with the same master key."""
    dump = tmp_path / "mfadesk.pgdump"
    with empty_postgres_database() as source, empty_postgres_database() as target:
        cli = Cli(tmp_path, source).prepare()
        cli.run("user", "add", "--company", COMPANY, "--email", "ann@example.com")
        libpq = make_url(source).set(drivername="postgresql").render_as_string(False)
        subprocess.run(
            ["pg_dump", "--format=custom", f"--file={dump}", libpq], check=True, timeout=60
        )
        target_libpq = make_url(target).set(drivername="postgresql").render_as_string(False)
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target_libpq}", str(dump)],
            check=True,
            timeout=60,
        )
        key_text = (tmp_path / "secret.key").read_bytes().strip()
        assert base64.b64decode(key_text) not in dump.read_bytes()
        cli.env["MFADESK_DATABASE_URL"] = target
        verified = cli.run("audit", "verify")
        assert verified.stdout.startswith("audit trail intact: ")
