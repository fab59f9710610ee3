"""`mfadesk api bulk` with the actions added after the first six: token assign / unassign /
delete, user enable / disable, emergency codes for hours, minutes or one use."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack
from tests.support.authenticators import add_spare_tokens, token
from tests.support.remote_cli import RemoteCli
from tests.support.sdk import write_key_file
from tests.support.tenant import TOKEN_ALICE, TOKEN_BOB, TOKEN_SPARE

HEADER = ["action", "user", "serial", "name", "days", "hours", "minutes", "one_time", "note"]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def results(path: Path) -> dict[int, dict[str, str]]:
    with path.open() as handle:
        return {int(r["row"]): r for r in csv.DictReader(handle)}


def test_new_actions_in_one_file(stack: Stack, tmp_path: Path) -> None:
    add_spare_tokens(stack, ["000900000001", "000900000002"])
    bulk_file = write(
        tmp_path / "site.csv",
        [
            [
                "token-assign",
                "alice@acme.example",
                "000900000001",
                "Alice desk",
                "",
                "",
                "",
                "",
                "",
            ],
            ["token-assign", "bob@acme.example", "000900000002", "", "", "", "", "", ""],
            ["token-unassign", "bob@acme.example", "000900000002", "", "", "", "", "", "returned"],
            ["token-delete", "", TOKEN_SPARE, "", "", "", "", "", "a spare, no holder"],
            ["token-delete", "bob@acme.example", TOKEN_BOB, "", "", "", "", "", ""],
            ["token-delete", "bob@acme.example", TOKEN_ALICE, "", "", "", "", "", "not bob's"],
            ["user-disable", "dave@acme.example", "", "", "", "", "", "", ""],
            ["user-enable", "dave@acme.example", "", "", "", "", "", "", ""],
            ["eac-enable", "alice@acme.example", "", "", "", "", "90", "true", ""],
            ["eac-enable", "bob@acme.example", "", "", "1", "12", "", "", ""],
            ["eac-enable", "dave@acme.example", "", "", "2", "", "", "", "v1"],
        ],
    )
    codes = tmp_path / "codes.csv"
    cli = RemoteCli(tmp_path, write_key_file(stack, tmp_path, "super"))
    summary = json.loads(
        cli.run("bulk", str(bulk_file), "--codes", str(codes), "--json", status=3).stdout
    )
    assert (summary["ok"], summary["failed"], summary["pending"]) == (10, 1, 0)
    assert summary["byAction"]["token-delete"] == {"ok": 2, "failed": 1}
    outcome = results(tmp_path / "site.results.csv")
    assert outcome[1]["detail"] == "000900000001 assigned as 'Alice desk', Enabled"
    assert outcome[1]["name"] == "Alice desk"
    assert outcome[3]["detail"] == "000900000002 Unassigned, Disabled"  # after its assign
    assert outcome[4]["detail"] == f"{TOKEN_SPARE} deleted (was assigned to nobody (spare))"
    assert outcome[5]["detail"] == f"{TOKEN_BOB} deleted (was assigned to bob@acme.example)"
    assert (outcome[6]["outcome"], outcome[6]["description"]) == (
        "failed",
        f"hardware token {TOKEN_ALICE} is assigned to alice@acme.example, not to "
        "bob@acme.example: not deleted",
    )
    assert [outcome[n]["detail"] for n in (7, 8)] == ["Disabled", "Enabled"]
    assert (outcome[9]["minutes"], outcome[9]["one_time"]) == ("90", "true")
    assert outcome[9]["detail"].endswith(", one-time use")
    assert (outcome[10]["days"], outcome[10]["hours"]) == ("1", "12")

    assert token(stack, TOKEN_ALICE) is not None and token(stack, TOKEN_BOB) is None
    spare = token(stack, "000900000002")
    assert spare is not None and spare.user_id is None
    assert token(stack, "000900000001").user_id == stack.tenant.user("alice")  # type: ignore[union-attr]

    with codes.open() as handle:
        issued = {row["user"]: row for row in csv.DictReader(handle)}
    now = stack.clock()
    assert issued["alice@acme.example"]["expirationDate"] == format_timestamp(
        now + timedelta(minutes=90)
    )
    assert issued["bob@acme.example"]["expirationDate"] == format_timestamp(
        now + timedelta(hours=36)
    )
    assert issued["dave@acme.example"]["expirationDate"] == format_timestamp(
        now + timedelta(days=2)
    )
    status_changes = [
        (e.event.action, e.event.target.id)
        for e in stack.audit_events()
        if e.event.action in (Action.DISABLE_USER, Action.ENABLE_USER)
    ]
    dave = stack.tenant.user("dave")
    assert status_changes == [(Action.DISABLE_USER, dave), (Action.ENABLE_USER, dave)]


def test_help_desk_rows_it_may_not_run_fail_alone(stack: Stack, tmp_path: Path) -> None:
    bulk_file = write(
        tmp_path / "hd.csv",
        [
            ["token-delete", "", TOKEN_SPARE, "", "", "", "", "", ""],
            ["user-disable", "bob@acme.example", "", "", "", "", "", "", ""],
            ["token-assign", "carol@acme.example", TOKEN_SPARE, "", "", "", "", "", ""],
        ],
    )
    cli = RemoteCli(tmp_path, write_key_file(stack, tmp_path, "helpdesk"))
    summary = json.loads(cli.run("bulk", str(bulk_file), "--json", status=3).stdout)
    assert [(f["row"], f["code"]) for f in summary["failures"]] == [
        (1, "403 FORBIDDEN"),
        (2, "403 FORBIDDEN"),
    ]
    assert summary["ok"] == 1  # a disabled user may be handed a token
    # Rows on different targets run concurrently: their denials may be audited in either order.
    denied = [e.event.action for e in stack.audit_events() if e.event.result == Result.DENIED]
    assert sorted(denied) == sorted([Action.DELETE_HARDWARE_TOKEN, Action.DISABLE_USER])


def test_invalid_new_rows_run_nothing(stack: Stack, tmp_path: Path) -> None:
    cli = RemoteCli(tmp_path, write_key_file(stack, tmp_path, "super"))
    events = len(stack.audit_events())
    bad = write(
        tmp_path / "bad.csv",
        [
            ["token-assign", "alice@acme.example", "", "", "", "", "", "", ""],
            ["token-delete", "alice@acme.example", "", "", "", "", "", "", ""],
            ["user-enable", "", "", "", "", "", "", "", ""],
            ["eac-enable", "bob@acme.example", "", "", "", "x", "", "", ""],
            ["eac-enable", "bob@acme.example", "", "", "", "", "30", "maybe", ""],
            ["eac-enable", "bob@acme.example", "", "", "7", "1", "", "", ""],
            ["eac-enable", "bob@acme.example", "", "", "", "", "", "true", ""],
        ],
    )
    message = cli.run("bulk", str(bad), "--codes", str(tmp_path / "c.csv"), status=2).stderr
    for line, problem in (
        (2, "token-assign needs serial"),
        (3, "token-delete needs serial"),
        (4, "user-enable needs user"),
        (5, "hours must be a whole number from 0 to 168, not 'x'"),
        (6, "one_time must be true or false, not 'maybe'"),
        (7, "the validity must be between 1 minute and 7 days"),
        (8, "eac-enable needs a validity"),
    ):
        assert f"line {line}: {problem}" in message
    assert len(stack.audit_events()) == events
