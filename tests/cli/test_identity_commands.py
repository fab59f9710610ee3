"""`mfadesk user import`, `token import FILE.csv`, `source list|remove` and `user purge` as a
shell runs them (real processes, real files, SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

from mfadesk.domain.users import UserStatus
from mfadesk.otp.tokencodes import tokencode
from mfadesk.store.database import Database
from tests.cli.test_authn_commands import initialize, rows, served
from tests.support.operator_cli import Cli

PEOPLE = (
    "\ufeffemailAddress,firstName,lastName,userStatus,principalUsername\r\n"
    "Eve@Example.com,Eve,Adams,,eadams\r\n"
    "\r\n"
    'frank@example.com,"Frank, Jr.",Smith,Disabled\r\n'
    "grace@example.com,Gr\udcffce,Hopper\r\n"
    "eve@example.com,Eve,Again\r\n"
    "heidi@example.com,Heidi,H,Enabled\r"  # a line ending of another age
)


def test_user_import_from_a_spreadsheets_csv(cli: Cli, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_bytes(PEOPLE.encode("utf-8", "surrogateescape"))
    first = cli.json("user", "import", str(people))
    assert first == {
        "source": "local",
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": [
            {"line": 5, "reason": "control characters or bytes that are not UTF-8"},
            {"line": 6, "reason": "emailAddress eve@example.com is on line 2 already"},
        ],
    }
    again = cli.run("user", "import", str(people)).stdout.splitlines()
    assert again == [
        "0 created, 0 updated, 3 unchanged, 2 rejected",
        "  line 5: control characters or bytes that are not UTF-8",
        "  line 6: emailAddress eve@example.com is on line 2 already",
    ]
    stored = rows(
        cli, "SELECT email, first_name, status, principal_username FROM users ORDER BY email"
    )
    assert [tuple(r) for r in stored] == [
        ("eve@example.com", "Eve", "Enabled", "eadams"),
        ("frank@example.com", "Frank, Jr.", "Disabled", None),
        ("heidi@example.com", "Heidi", "Enabled", None),
    ]
    events = rows(cli, "SELECT message FROM audit_events WHERE action = 'IMPORT_USERS'")
    assert [e.message for e in events] == [
        "Users imported from people.csv into identity source 'local': "
        "3 created, 0 updated, 0 unchanged, 2 rejected",
        "Users imported from people.csv into identity source 'local': "
        "0 created, 0 updated, 3 unchanged, 2 rejected",
    ]


def test_csv_sources_are_listed_and_removed_as_decided(cli: Cli, tmp_path: Path) -> None:
    cli.run("user", "add", "--email", "admin@example.com")
    staff = tmp_path / "staff.csv"
    staff.write_text("emailAddress,firstName,lastName\nivan@example.com,Ivan,I\n")
    created = cli.run("user", "import", str(staff), "--source", "hr").stdout.splitlines()
    assert created == [
        "identity source 'hr' (csv) created",
        "1 created, 0 updated, 0 unchanged, 0 rejected",
    ]
    listed = cli.json("source", "list")
    assert [(s["name"], s["kind"], s["users"]) for s in listed] == [
        ("hr", "csv", 1),
        ("local", "local", 1),
    ]
    assert "hr\tcsv\t1 users\tcreated " in cli.run("source", "list").stdout
    assert cli.fails("source", "remove", "hr") == (
        "mfadesk: error: identity source 'hr' has 1 users: remove them first, or use --force "
        "to move them to 'local', disabled"
    )
    removed = cli.run("source", "remove", "hr", "--force").stdout.strip()
    assert removed == "identity source 'hr' removed (1 users moved to local, disabled)"
    assert [s["name"] for s in cli.json("source", "list")] == ["local"]
    assert [tuple(r) for r in rows(cli, "SELECT email, status FROM users ORDER BY email")] == [
        ("admin@example.com", "Enabled"),
        ("ivan@example.com", "Disabled"),
    ]
    assert cli.fails("source", "remove", "local") == (
        "mfadesk: error: the 'local' source cannot be removed"
    )


def test_token_csv_import_then_authenticate(cli: Cli, tmp_path: Path) -> None:
    cli.run("user", "add", "--email", "eve@example.com")
    seed = secrets.token_bytes(16)
    tokens = tmp_path / "tokens.txt"  # not .csv: --format says so
    tokens.write_text(
        "tokenSerialNumber,emailAddress,seed\n"
        f"000500000001,Eve@example.com,{seed.hex()}\n"
        "000500000002,,\n"
        "000500000003,nobody@example.com,\n"
    )
    imported = cli.json("token", "import", str(tokens), "--format", "csv")
    assert imported == {
        "format": "csv",
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": [{"line": 4, "reason": "User nobody@example.com not found"}],
    }
    again = cli.run("token", "import", str(tokens), "--format", "csv").stdout.splitlines()[0]
    assert again == "0 created, 0 updated, 2 unchanged, 1 rejected"
    stored = rows(cli, "SELECT serial, status, user_id FROM hardware_tokens ORDER BY serial")
    assert [(r.serial, r.status, r.user_id is not None) for r in stored] == [
        ("000500000001", "Enabled", True),
        ("000500000002", "Disabled", False),
    ]
    key = cli.json("authn-key", "add", "--name", "agent")["clientKey"]
    with served(cli) as base:
        code = tokencode(seed, "000500000001", int(time.time()))
        answer = initialize(base, key, "eve@example.com", code).json()
    # The seed works; the imported token has no PIN, so its first tokencode opens New PIN mode.
    assert answer["attemptResponseCode"] == "CHALLENGE"
    [challenge] = answer["challengeMethods"]["challenges"]
    assert challenge["requiredMethods"][0]["methodId"] == "SECURID_NEWPIN"


def test_file_and_header_errors_are_one_line_and_change_nothing(cli: Cli, tmp_path: Path) -> None:
    cli.run("user", "add", "--email", "root@example.com")
    empty, bad, spare = tmp_path / "empty.csv", tmp_path / "bad.csv", tmp_path / "t.csv"
    empty.write_text("\n\n")
    bad.write_text("email,first,last\na@x,A,B\n")
    spare.write_text("tokenSerialNumber,emailAddress\n1,\n")
    assert cli.fails("user", "import", str(empty)) == (
        f"mfadesk: error: {empty} is empty: the first row must be the header "
        "emailAddress,firstName,lastName[,userStatus][,principalUsername]"
    )
    assert cli.fails("user", "import", str(bad)) == (
        f"mfadesk: error: {bad}, line 1: unknown column 'email' in the header; expected "
        "emailAddress,firstName,lastName[,userStatus][,principalUsername]"
    )
    missing = tmp_path / "missing.csv"
    assert cli.fails("user", "import", str(missing)) == (
        f"mfadesk: error: cannot read {missing}: No such file or directory"
    )
    assert cli.fails("token", "import", str(spare), "--password", "x") == (
        "mfadesk: error: --password(-file), --pskc-key(-file) and --user-map "
        "are for seed files, not CSV"
    )
    assert cli.fails("token", "import", str(bad), "--format", "sdtid").startswith(
        "mfadesk: error: Seed file 'bad.csv' "
    )
    assert rows(cli, "SELECT count(*) AS n FROM users")[0].n == 1


def test_user_purge(cli: Cli, database_url: str) -> None:
    for name in ("mallory", "trent"):
        cli.run("user", "add", "--email", f"{name}@example.com", "--disabled")
    db = Database(database_url)
    try:
        with db.unit_of_work() as uow:
            [company] = uow.companies.list()
            mallory = uow.users.get_by_email(company.id, "mallory@example.com")
            assert mallory is not None and mallory.status is UserStatus.DISABLED
            uow.users.save(mallory.with_mark_deleted(True, "root@example.com", mallory.created_at))
    finally:
        db.close()
    assert cli.run("user", "purge").stdout.strip() == "purged 0 users"
    purged = cli.json("user", "purge", "--older-than", "0")
    assert purged == {"purged": [{"id": mallory.id, "emailAddress": "mallory@example.com"}]}
    events = rows(cli, "SELECT admin_email, message FROM audit_events WHERE action = 'PURGE_USER'")
    assert [e.admin_email for e in events] == ["operator"]
    assert json.dumps([r.email for r in rows(cli, "SELECT email FROM users")]) == (
        '["trent@example.com"]'
    )
