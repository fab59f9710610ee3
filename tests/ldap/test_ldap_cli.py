"""`mfadesk source add-ldap` and `mfadesk source sync`, run as a shell runs them, against a real
slapd."""

from __future__ import annotations

from pathlib import Path

from tests.support.live_server import free_port
from tests.support.operator_cli import Cli
from tests.support.slapd import ROOT_DN, ROOT_PASSWORD, Person, Slapd


def test_add_ldap_then_sync(tmp_path: Path, sqlite_url: str, slapd: Slapd) -> None:
    # Storage on both databases: test_ldap_sync.py; here the commands themselves (SQLite).
    database_url = sqlite_url
    cli = Cli(tmp_path, database_url).prepare()
    unit = slapd.unit()
    ada, bob = Person("ada", "ada@example.test"), Person("bob", "bob@example.test", "Bob")
    unit.add_ad(ada)
    unit.add_ad(bob)
    unit.add_ad(Person("taken", "taken@example.test"))
    cli.run("user", "add", "--email", "taken@example.test")
    password = slapd.password_file(tmp_path)
    common = ["--bind-dn", ROOT_DN, "--bind-password-file", str(password), "--base-dn", unit.dn]

    added = cli.run(
        "source",
        "add-ldap",
        "--name",
        "Corp AD",
        "--url",
        slapd.url,
        *common,
        "--active-directory",
        "--sync-interval",
        "30m",
    )
    assert ROOT_PASSWORD not in added.stdout + added.stderr
    listed = {row["name"]: row for row in cli.json("source", "list")}
    assert listed["Corp AD"]["kind"] == "ldap"

    [first] = cli.json("source", "sync", "Corp AD")
    assert (first["name"], first["created"], first["conflicts"]) == ("Corp AD", 2, 1)
    [again] = cli.json("source", "sync")
    assert (again["created"], again["unchanged"], again["conflicts"]) == (0, 2, 1)

    unit.modify(bob, userAccountControl=514)
    text = cli.run("source", "sync", "Corp AD").stdout
    assert text.startswith(
        "Corp AD: 0 created, 0 updated, 1 disabled, 0 enabled, 1 unchanged, 1 conflicts"
    )

    # A wrong password and a directory that is down: one line, exit 1, nothing changed.
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password\n")
    cli.run(
        "source",
        "add-ldap",
        "--name",
        "Wrong",
        "--url",
        slapd.url,
        "--bind-dn",
        ROOT_DN,
        "--bind-password-file",
        str(wrong),
        "--base-dn",
        unit.dn,
        "--active-directory",
    )
    cli.run(
        "source",
        "add-ldap",
        "--name",
        "Down",
        "--url",
        f"ldap://127.0.0.1:{free_port()}",
        *common,
    )
    before = cli.json("source", "list")
    assert "wrong bind DN or password" in cli.fails("source", "sync", "Wrong")
    assert "Connection refused" in cli.fails("source", "sync", "Down")
    assert cli.json("source", "list") == before

    # Bad settings are refused before anything is stored.
    assert "ldap://" in cli.fails(
        "source", "add-ldap", "--name", "Bad", "--url", "http://x", *common
    )
    assert "exists already" in cli.fails(
        "source", "add-ldap", "--name", "Corp AD", "--url", slapd.url, *common
    )
