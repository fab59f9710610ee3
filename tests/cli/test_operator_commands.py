"""The operator commands as a shell would run them: real processes, real database files."""

from __future__ import annotations

import json
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mfadesk.store.database import Database
from tests.support.operator_cli import COMPANY, PUBLIC_URL, Cli


def test_user_token_and_ds100_commands(cli: Cli) -> None:
    user = cli.json("user", "add", "--email", "Eve@Example.com", "--first-name", "Eve")
    assert user["emailAddress"] == "eve@example.com"
    assert user["userStatus"] == "Enabled" and len(user["id"]) == 36
    disabled = cli.json("user", "add", "--email", "mallory@example.com", "--disabled")
    assert disabled["userStatus"] == "Disabled"

    assigned = cli.json(
        "token",
        "add",
        "--serial",
        "1231314525",
        "--user",
        "eve@example.com",
        "--seed",
        "0f3f7439c2f122e0443ca8ea9bc263a7",
    )
    assert assigned == {
        "tokenSerialNumber": "1231314525",
        "userId": user["id"],
        "tokenStatus": "Enabled",
    }
    spare = cli.json("token", "add", "--serial", "1231314526")
    assert spare == {"tokenSerialNumber": "1231314526", "userId": None, "tokenStatus": "Disabled"}

    credentials = cli.json(
        "ds100", "add", "--device-serial", "140100080", "--user", "eve@example.com"
    )
    assert [
        (c["userId"], c["tokenSerialNumber"], c["tokenStatus"], c["deviceSerialNumber"])
        for c in credentials
    ] == [(user["id"], "014010008031", "Enabled", "140100080")]
    assert set(credentials[0]) == {
        "userId",
        "tokenSerialNumber",
        "tokenStatus",
        "tokenStatusChangedAt",
        "tokenStatusChangedBy",
        "deviceSerialNumber",
    }

    assert "already exists" in cli.fails("user", "add", "--email", "eve@example.com")
    assert "already exists" in cli.fails("token", "add", "--serial", "1231314525")
    assert "not found" in cli.fails(
        "token", "add", "--serial", "X1", "--user", "nobody@example.com"
    )
    assert "1 to 36" in cli.fails("token", "add", "--serial", "9" * 37)
    assert "hexadecimal" in cli.fails("token", "add", "--serial", "X2", "--seed", "zz")
    assert "9 digits" in cli.fails(
        "ds100", "add", "--device-serial", "12", "--user", "eve@example.com"
    )
    assert cli.run("audit", "verify").stdout.startswith("audit trail intact: ")


def test_admin_add_can_give_the_key_an_end(cli: Cli, tmp_path: Path) -> None:
    key_path = tmp_path / "temp.key"
    base = ("admin", "add", "--email", "temp@example.com", "--role", "help-desk-admin")
    printed = cli.run(*base, "--key-file", str(key_path), "--valid-days", "30").stdout
    assert "(valid for 30 days)" in printed
    access_id = json.loads(key_path.read_text())["accessID"]
    db = Database(cli.env["MFADESK_DATABASE_URL"])
    try:
        with db.unit_of_work(readonly=True) as uow:
            found = uow.admins.by_access_id(access_id)
    finally:
        db.close()
    assert found is not None and found[1].expires_at is not None
    validity = found[1].expires_at - datetime.now(UTC)
    assert timedelta(days=29, hours=23) < validity <= timedelta(days=30)
    refused = cli.run(*base, "--key-file", str(tmp_path / "x.key"), "--valid-days", "0", ok=False)
    assert refused.returncode != 0 and not (tmp_path / "x.key").exists()


def test_admin_add_writes_a_private_key_file(cli: Cli, tmp_path: Path) -> None:
    key_path = tmp_path / "keys" / "ops.key"
    key_path.parent.mkdir()
    cli.run(
        "admin",
        "add",
        "--email",
        "ops@example.com",
        "--role",
        "help-desk-admin",
        "--key-file",
        str(key_path),
    )
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    contents = json.loads(key_path.read_text())
    assert set(contents) == {
        "customerName",
        "accessID",
        "accessKey",
        "adminRestApiUrl",
        "description",
    }
    assert contents["accessKey"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert contents["adminRestApiUrl"] == f"{PUBLIC_URL}/AdminInterface/restapi/"
    assert contents["customerName"] == COMPANY
    assert "exists" in cli.fails(
        "admin",
        "add",
        "--email",
        "ops@example.com",
        "--role",
        "super-admin",
        "--key-file",
        str(key_path),
    )
    cli.run(
        "admin",
        "add",
        "--email",
        "ops@example.com",
        "--role",
        "super-admin",
        "--key-file",
        str(key_path),
        "--force",
    )
    assert json.loads(key_path.read_text())["accessID"] != contents["accessID"]
    bad_role = cli.run(
        "admin",
        "add",
        "--email",
        "x@example.com",
        "--role",
        "root",
        "--key-file",
        str(tmp_path / "x.key"),
        ok=False,
    )
    assert bad_role.returncode == 2 and not (tmp_path / "x.key").exists()


def test_demo_is_idempotent(tmp_path: Path, database_url: str) -> None:
    cli = Cli(tmp_path, database_url).prepare(company=None)
    first = cli.run("demo").stdout
    assert "created" in first and "alice@example.com" in first
    keys = sorted((tmp_path / "var" / "keys").glob("*.key"))
    assert [k.name for k in keys] == ["help-desk-admin.key", "super-admin.key"]
    access_ids = [json.loads(k.read_text())["accessID"] for k in keys]
    second = cli.run("demo").stdout
    assert "already in place" in second
    assert all(str(k) in second for k in keys)
    assert [json.loads(k.read_text())["accessID"] for k in keys] == access_ids
    assert "already exists" in cli.fails("user", "add", "--email", "alice@example.com")


def test_audit_verify_catches_a_tampered_row(tmp_path: Path) -> None:
    cli = Cli(tmp_path, f"sqlite:///{tmp_path / 'audit.db'}")
    cli.run("demo")
    assert cli.run("audit", "verify").returncode == 0
    with sqlite3.connect(tmp_path / "audit.db") as connection:
        connection.execute("UPDATE audit_events SET message = 'nothing to see' WHERE seq = 3")
    assert "row 3 was altered" in cli.fails("audit", "verify")


def test_secret_key_file_is_private(tmp_path: Path) -> None:
    cli = Cli(tmp_path, f"sqlite:///{tmp_path / 'k.db'}")
    cli.run("migrate")
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600


def test_bad_database_url_is_one_clear_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path, "nosuchdb://nowhere")
    assert cli.fails("user", "add", "--email", "a@example.com")
