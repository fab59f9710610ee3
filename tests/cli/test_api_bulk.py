"""`mfadesk api bulk` as a real process: 1,000 rows, interrupted, resumed, each applied once."""

from __future__ import annotations

import contextlib
import csv
import json
import random
import signal
import stat
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from mfadesk.client import AdminClient
from mfadesk.domain.audit import Action, Result
from mfadesk.otp.emergency import online_matches
from tests.conftest import Stack, StackFactory
from tests.support.live_server import free_port
from tests.support.remote_cli import RemoteCli
from tests.support.sdk import (
    FleetUser,
    add_users_with_tokens,
    key_file_contents,
    write_key_file,
)
from tests.support.tenant import TOKEN_ALICE, TOKEN_BOB

HEADER = ["action", "user", "serial", "device", "days"]


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def journal_rows(path: Path) -> list[int]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines()[1:]:
        with contextlib.suppress(ValueError):  # a line being written right now
            rows.append(json.loads(line)["row"])
    return rows


def wait_for_journal(path: Path, rows: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while len(journal_rows(path)) < rows:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the bulk run made no progress"
        time.sleep(0.01)


@contextlib.contextmanager
def ticking(stack: Stack) -> Iterator[None]:
    """Move the server's clock forward as real time passes."""
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.002):
            stack.clock.advance(timedelta(milliseconds=2))

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield
    finally:
        stop.set()
        ticker.join()


def counts(summary: dict[str, Any]) -> tuple[int, int]:
    """This run's (ok, failed) rows."""
    return summary["thisRun"]["ok"], summary["thisRun"]["failed"]


def successes(stack: Stack, action: Action) -> Counter[str]:
    return Counter(
        e.event.target.id
        for e in stack.audit_events()
        if e.event.action == action and e.event.result == Result.SUCCESS
    )


def thousand_rows(stack: Stack) -> tuple[list[list[str]], list[FleetUser]]:
    """500 token-disable (half by id, half by e-mail), 300 eac-enable, 200 eac-disable."""
    fleet = add_users_with_tokens(stack, 500)
    with AdminClient.from_dict(key_file_contents(stack, "super")) as admin:
        for user in fleet[300:]:  # codes to disable during the run
            admin.enable_emergency_tokencode_v1(user.id, 7)
    rows = [
        ["token-disable", user.id if i % 2 else user.email, user.serial, "", ""]
        for i, user in enumerate(fleet)
    ]
    rows += [
        ["eac-enable", user.email, "", "", str(1 + i % 7)] for i, user in enumerate(fleet[:300])
    ]
    rows += [["eac-disable", user.email, "", "", ""] for user in fleet[300:]]
    random.Random(5).shuffle(rows)
    return rows, fleet


@pytest.mark.slow
def test_thousand_rows_interrupted_and_resumed_apply_each_row_once(
    make_stack: StackFactory, tmp_path: Path
) -> None:
    # A limit the run must respect: bursts of 429s are waited out, not turned into failures.
    stack = make_stack(rate_limit_per_second=150, rate_limit_burst=50)
    rows, fleet = thousand_rows(stack)
    before_run = {
        action: successes(stack, action)
        for action in (Action.ENABLE_EMERGENCY_TOKENCODE, Action.DISABLE_EMERGENCY_TOKENCODE)
    }
    bulk_file = write_rows(tmp_path / "outage.csv", rows)
    journal, results, codes = (
        tmp_path / "outage.journal",
        tmp_path / "outage.results.csv",
        tmp_path / "codes.csv",
    )
    cli = RemoteCli(tmp_path, write_key_file(stack, tmp_path, "helpdesk"))
    args = ("bulk", str(bulk_file), "--codes", str(codes), "--json")
    outputs: list[str] = []

    first = cli.popen(*args)
    wait_for_journal(journal, 150, first)
    first.send_signal(signal.SIGINT)
    out, err = first.communicate(timeout=120)
    outputs += [out, err]
    assert first.returncode == 130, err
    interrupted = json.loads(out)
    assert interrupted["interrupted"] is True
    assert 150 <= interrupted["ok"] < 1000 and interrupted["failed"] == 0
    assert interrupted["pending"] == 1000 - interrupted["ok"]
    assert len(journal_rows(journal)) == interrupted["ok"]  # rows in flight finished first

    limited = cli.run(*args, "--limit", "100")
    outputs += [limited.stdout, limited.stderr]
    assert counts(json.loads(limited.stdout)) == (100, 0)

    resumed = cli.run(*args)
    outputs += [resumed.stdout, resumed.stderr]
    summary = json.loads(resumed.stdout)
    assert (summary["ok"], summary["failed"], summary["pending"]) == (1000, 0, 0)
    assert summary["skipped"] == interrupted["ok"] + 100
    assert summary["thisRun"]["ok"] == 900 - interrupted["ok"]

    again = cli.run(*args)  # a finished file does nothing more
    outputs += [again.stdout, again.stderr]
    assert counts(json.loads(again.stdout)) == (0, 0)
    assert json.loads(again.stdout)["thisRun"]["requests"] == 0

    # Each row applied exactly once, as the audit trail tells.
    disabled_tokens = successes(stack, Action.DISABLE_HARDWARE_TOKEN)
    assert disabled_tokens == Counter({user.serial: 1 for user in fleet})
    issued = successes(stack, Action.ENABLE_EMERGENCY_TOKENCODE)
    issued.subtract(before_run[Action.ENABLE_EMERGENCY_TOKENCODE])
    assert +issued == Counter({user.id: 1 for user in fleet[:300]})
    removed = successes(stack, Action.DISABLE_EMERGENCY_TOKENCODE)
    assert sum(removed.values()) == 200 and set(removed.values()) == {1}
    assert all(e.event.result == Result.SUCCESS for e in stack.audit_events() if e.seq > 0)

    with results.open() as handle:
        outcomes = list(csv.DictReader(handle))
    assert [int(r["row"]) for r in outcomes] == list(range(1, 1001))
    assert {r["outcome"] for r in outcomes} == {"ok"}

    # The codes: only in the private codes file, each one the server's.
    assert stat.S_IMODE(codes.stat().st_mode) == 0o600
    with codes.open() as handle:
        issued_codes = list(csv.DictReader(handle))
    assert sorted(c["userId"] for c in issued_codes) == sorted(u.id for u in fleet[:300])
    with stack.db.unit_of_work() as uow:
        for entry in issued_codes:
            stored = uow.emergency_tokencodes.get(entry["userId"], entry["emergencyTokencodeId"])
            assert stored is not None
            key = stack.env.keys.emergency_hmac
            assert online_matches(
                key, entry["userId"], entry["emergencyTokencode"], stored.online_hash
            )
    elsewhere = "".join(outputs) + results.read_text() + journal.read_text()
    assert not [c for c in issued_codes if c["emergencyTokencode"] in elsewhere]


@pytest.mark.slow
def test_a_killed_run_repeats_at_most_the_rows_in_flight(
    make_stack: StackFactory, tmp_path: Path
) -> None:
    stack = make_stack(rate_limit_per_second=100, rate_limit_burst=20)
    fleet = add_users_with_tokens(stack, 300)
    bulk_file = write_rows(
        tmp_path / "offboard.csv", [["token-disable", u.id, u.serial, "", ""] for u in fleet]
    )
    cli = RemoteCli(tmp_path, write_key_file(stack, tmp_path))
    killed = cli.popen("bulk", str(bulk_file), "--concurrency", "4")
    wait_for_journal(tmp_path / "offboard.journal", 60, killed)
    killed.kill()
    killed.communicate(timeout=60)
    done_before = set(journal_rows(tmp_path / "offboard.journal"))
    assert 60 <= len(done_before) < 300

    resumed = json.loads(cli.run("bulk", str(bulk_file), "--json").stdout)
    assert (resumed["ok"], resumed["skipped"]) == (300, len(done_before))
    events = [
        e.event for e in stack.audit_events() if e.event.action == Action.DISABLE_HARDWARE_TOKEN
    ]
    changed = Counter(e.target.id for e in events if e.changed)
    assert changed == Counter({u.serial: 1 for u in fleet})
    # a row the journal holds is never sent again; only rows in flight at the kill may repeat
    repeated = Counter(e.target.id for e in events) - changed
    assert sum(repeated.values()) <= 4
    rows_of = {u.serial: n for n, u in enumerate(fleet, start=1)}
    assert not {rows_of[serial] for serial in repeated} & done_before


def test_failed_rows_exit_3_and_can_be_retried(stack: Stack, tmp_path: Path) -> None:
    alice = stack.tenant.user("alice")
    bulk_file = write_rows(
        tmp_path / "mixed.csv",
        [
            ["token-disable", "alice@acme.example", TOKEN_ALICE, "", ""],
            ["token-disable", alice, TOKEN_BOB, "", ""],
            ["token-enable", "nobody@acme.example", TOKEN_ALICE, "", ""],
            ["ds100-disable", "dave@acme.example", "", "140100080", ""],
        ],
    )
    cli = RemoteCli(tmp_path, write_key_file(stack, tmp_path))
    first = cli.run("bulk", str(bulk_file), status=3)
    assert "Failed rows (2)" in first.stdout and "409 CONFLICT" in first.stdout
    with (tmp_path / "mixed.results.csv").open() as handle:
        outcomes = {int(r["row"]): r for r in csv.DictReader(handle)}
    assert [outcomes[n]["outcome"] for n in (1, 2, 3, 4)] == ["ok", "failed", "failed", "ok"]
    assert (outcomes[2]["status"], outcomes[2]["code"], outcomes[2]["description"]) == (
        "409",
        "409 CONFLICT",
        f"Hardware token {TOKEN_BOB} is not assigned to user {alice}",
    )
    assert outcomes[3]["description"] == "User nobody@acme.example not found"
    assert outcomes[4]["detail"] == "014010008031 Disabled"

    again = json.loads(cli.run("bulk", str(bulk_file), "--json", status=3).stdout)
    assert counts(again) == (0, 0)  # failures are not repeated by default
    retried = json.loads(
        cli.run("bulk", str(bulk_file), "--json", "--retry-failed", status=3).stdout
    )
    assert counts(retried) == (0, 2)
    assert [f["row"] for f in retried["failures"]] == [2, 3]


def test_invalid_files_run_nothing(stack: Stack, tmp_path: Path) -> None:
    cli = RemoteCli(tmp_path, write_key_file(stack, tmp_path))
    events = len(stack.audit_events())
    bad = write_rows(
        tmp_path / "bad.csv",
        [
            ["token-disable", "alice@acme.example", TOKEN_ALICE, "", ""],
            ["disabel", "alice@acme.example", "", "", ""],
            ["token-enable", "alice@acme.example", "", "", ""],
            ["eac-enable", "alice@acme.example", "", "", "9"],
            ["eac-disable", stack.tenant.user("alice"), "", "", ""],
        ],
    )
    message = cli.run("bulk", str(bad), status=2).stderr
    assert "nothing was sent" in message
    for line, problem in (
        (3, "unknown action 'disabel'"),
        (4, "token-enable needs serial"),
        (5, "days must be a whole number from 1 to 7"),
        (6, "eac-disable needs the user's e-mail"),
    ):
        assert f"line {line}: {problem}" in message
    (tmp_path / "headless.csv").write_text("token-disable,alice@acme.example,1\n")
    assert (
        "first line must name the columns"
        in cli.run("bulk", str(tmp_path / "headless.csv"), status=2).stderr
    )
    eac = write_rows(tmp_path / "eac.csv", [["eac-enable", "alice@acme.example", "", "", "1"]])
    assert "--codes" in cli.run("bulk", str(eac), status=2).stderr
    loose = tmp_path / "loose.csv"
    loose.write_text("")
    loose.chmod(0o644)
    assert (
        "can be read by others" in cli.run("bulk", str(eac), "--codes", str(loose), status=2).stderr
    )
    assert len(stack.audit_events()) == events
    assert not (tmp_path / "eac.journal").exists()


def test_a_changed_file_is_not_resumed(stack: Stack, tmp_path: Path) -> None:
    cli = RemoteCli(tmp_path, write_key_file(stack, tmp_path))
    rows = [["token-disable", "alice@acme.example", TOKEN_ALICE, "", ""]]
    bulk_file = write_rows(tmp_path / "f.csv", rows)
    cli.run("bulk", str(bulk_file))
    write_rows(bulk_file, [*rows, ["token-disable", "bob@acme.example", TOKEN_BOB, "", ""]])
    assert "changed since" in cli.run("bulk", str(bulk_file), status=2).stderr


def test_an_unreachable_service_stops_the_run_with_rows_left(stack: Stack, tmp_path: Path) -> None:
    contents: dict[str, Any] = key_file_contents(stack)
    contents["adminRestApiUrl"] = f"http://127.0.0.1:{free_port()}/AdminInterface/restapi/"
    key = tmp_path / "elsewhere.key"
    key.write_text(json.dumps(contents))
    bulk_file = write_rows(
        tmp_path / "f.csv", [["token-disable", stack.tenant.user("alice"), TOKEN_ALICE, "", ""]] * 3
    )
    result = RemoteCli(tmp_path, key).run(
        "--max-attempts", "1", "bulk", str(bulk_file), "--json", status=4
    )
    summary = json.loads(result.stdout)
    assert (summary["pending"], summary["ok"], summary["failed"]) == (3, 0, 0)
    assert "cannot be reached" in summary["stoppedBy"]
    assert journal_rows(tmp_path / "f.journal") == []


def test_rows_of_one_user_run_in_file_order(stack: Stack, tmp_path: Path) -> None:
    actions = ["token-disable", "token-enable"] * 6 + ["token-disable"]
    # the same user named by e-mail throughout; bob's rows may run alongside
    rows = [[action, "alice@acme.example", TOKEN_ALICE, "", ""] for action in actions]
    rows += [["token-disable", "bob@acme.example", TOKEN_BOB, "", ""]]
    cli = RemoteCli(tmp_path, write_key_file(stack, tmp_path))
    cli.run("bulk", str(write_rows(tmp_path / "flip.csv", rows)), "--concurrency", "8")
    applied = [
        (e.event.action, e.event.changed)
        for e in stack.audit_events()
        if e.event.target.id == TOKEN_ALICE
        and e.event.action in (Action.DISABLE_HARDWARE_TOKEN, Action.ENABLE_HARDWARE_TOKEN)
    ]
    expected = {
        "token-disable": Action.DISABLE_HARDWARE_TOKEN,
        "token-enable": Action.ENABLE_HARDWARE_TOKEN,
    }
    assert applied == [(expected[a], True) for a in actions]  # each one a real change


def test_issue_then_revoke_in_one_file_ends_revoked(stack: Stack, tmp_path: Path) -> None:
    users = ["alice@acme.example", "bob@acme.example", "dave@acme.example"]
    rows = [
        [action, email, "", "", "1"]
        for email in users
        for action in ("eac-enable", "eac-disable", "eac-enable", "eac-disable")
    ]
    cli = RemoteCli(tmp_path, write_key_file(stack, tmp_path))
    bulk_file = write_rows(tmp_path / "revoke.csv", rows)
    # The server's clock moves while the run goes on (two codes issued at one instant would
    # leave the server unable to tell which is newer).
    with ticking(stack):
        cli.run("bulk", str(bulk_file), "--codes", str(tmp_path / "codes.csv"))
    with stack.client() as api:
        for email in users:
            details = api.post("v1/users/lookup", json={"email": email}).json()
            assert details["emergencyAccessStatus"] == "Disabled", email
    assert sum(successes(stack, Action.DISABLE_EMERGENCY_TOKENCODE).values()) == 6
