"""The `mfadesk api` commands of the endpoints added after the first seven, as real processes
against the server on loopback: users, SID700 and DS100 administration, emergency v2."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from pathlib import Path

import pytest

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack
from tests.support.authenticators import credential, set_credential_pin, set_token_pin, token
from tests.support.remote_cli import RemoteCli
from tests.support.sdk import add_users_with_tokens, key_file_contents, write_key_file
from tests.support.tenant import (
    CREDENTIAL_DAVE,
    DEVICE_DAVE,
    TOKEN_ALICE,
    TOKEN_BOB,
    TOKEN_SPARE,
)


@pytest.fixture
def helpdesk(stack: Stack, tmp_path: Path) -> RemoteCli:
    return RemoteCli(tmp_path, write_key_file(stack, tmp_path, "helpdesk"))


@pytest.fixture
def super_admin(stack: Stack, tmp_path: Path) -> RemoteCli:
    return RemoteCli(tmp_path, write_key_file(stack, tmp_path, "super"))


def test_eac_enable_picks_v1_or_v2(stack: Stack, helpdesk: RemoteCli) -> None:
    now = stack.clock()
    v1 = helpdesk.json("eac", "enable", "--user", "bob@acme.example", "--days", "2")
    assert "configurationsUsed" not in v1  # the v1 reply
    assert v1["expirationDate"] == format_timestamp(now + timedelta(days=2))
    hours = helpdesk.json("eac", "enable", "--user", "bob@acme.example", "--hours", "3")
    assert hours["configurationsUsed"] == {
        "expiryValue": 3,
        "expiryUnit": "hours",
        "oneTimeUse": False,
    }
    assert hours["expirationDate"] == format_timestamp(now + timedelta(hours=3))
    mixed = helpdesk.json(
        "eac", "enable", "--user", "bob@acme.example", "--days", "1", "--hours", "12", "--one-time"
    )
    assert mixed["configurationsUsed"] == {
        "expiryValue": 36,
        "expiryUnit": "hours",
        "oneTimeUse": True,
    }
    assert mixed["oneTimeUse"] is True
    minutes = helpdesk.run("eac", "enable", "--user", "bob@acme.example", "--minutes", "90").stdout
    assert "90" in minutes and "minutes" in minutes and "configurationsUsed" in minutes
    days_v2 = helpdesk.json(
        "eac", "enable", "--user", "bob@acme.example", "--days", "1", "--reusable"
    )
    assert days_v2["configurationsUsed"]["expiryUnit"] == "days"
    issued = [
        e.event for e in stack.audit_events() if e.event.action == Action.ENABLE_EMERGENCY_TOKENCODE
    ]
    assert len(issued) == 5 and all(e.result == Result.SUCCESS for e in issued)


def test_eac_enable_usage_errors(helpdesk: RemoteCli, stack: Stack) -> None:
    before = len(stack.audit_events())
    assert "validity" in helpdesk.error("eac", "enable", "--user", "bob@acme.example", status=2)
    assert "validity" in helpdesk.error(
        "eac", "enable", "--user", "bob@acme.example", "--one-time", status=2
    )
    too_long = helpdesk.error(
        "eac", "enable", "--user", "bob@acme.example", "--days", "7", "--minutes", "1", status=2
    )
    assert "between 1 minute and 7 days" in too_long
    assert helpdesk.run("eac", "enable", "--user", "b", "--hours", "169", status=2).stdout == ""
    assert helpdesk.error(
        "eac", "enable", "--user", "carol@acme.example", "--hours", "1", status=1
    ) == ("400 BAD_REQUEST: User is disabled.")  # no "may have been issued": it was refused
    assert len(stack.audit_events()) == before + 1  # only the refused one reached the service


def test_token_assign_show_clear_pin_unassign(stack: Stack, helpdesk: RemoteCli) -> None:
    alice = stack.tenant.user("alice")
    assigned = helpdesk.json(
        "token", "assign", "--user", "alice@acme.example", "--serial", TOKEN_SPARE, "--name", "Desk"
    )
    assert (
        assigned["userId"],
        assigned["tokenName"],
        assigned["tokenState"],
        assigned["tokenStatus"],
    ) == (alice, "Desk", "Activation Pending", "Enabled")
    shown = helpdesk.json("token", "show", "--serial", TOKEN_SPARE)
    assert (shown["assignedUserEmail"], shown["name"], shown["deviceType"]) == (
        "alice@acme.example",
        "Desk",
        "SID700",
    )
    human = helpdesk.run("token", "show", "--user", alice, "--serial", TOKEN_SPARE).stdout
    assert f"Hardware token {TOKEN_SPARE}" in human and "alice@acme.example" in human
    assert helpdesk.error(
        "token", "show", "--user", "bob@acme.example", "--serial", TOKEN_SPARE, status=1
    ) == (
        f"hardware token {TOKEN_SPARE} is assigned to alice@acme.example, not to bob@acme.example"
    )

    set_token_pin(stack, TOKEN_SPARE)
    cleared = helpdesk.json("token", "clear-pin", "--user", alice, "--serial", TOKEN_SPARE)
    assert cleared == {"userId": alice, "tokenSerialNumber": TOKEN_SPARE, "pinSet": False}

    unassigned = helpdesk.json("token", "unassign", "--user", alice, "--serial", TOKEN_SPARE)
    assert (unassigned["tokenState"], unassigned["tokenStatus"]) == ("Unassigned", "Disabled")
    assert helpdesk.error(
        "token", "unassign", "--user", alice, "--serial", TOKEN_SPARE, status=1
    ) == (f"409 CONFLICT: Hardware token {TOKEN_SPARE} is not assigned to a user")
    assert helpdesk.error("token", "assign", "--user", alice, "--serial", TOKEN_BOB, status=1) == (
        f"409 CONFLICT: Hardware token {TOKEN_BOB} is assigned to another user"
    )
    assert helpdesk.error("token", "show", "--serial", "NOPE", status=1) == (
        "404 NOT_FOUND: Hardware token NOPE not found"
    )


def test_token_delete(stack: Stack, helpdesk: RemoteCli, super_admin: RemoteCli) -> None:
    assert helpdesk.error(
        "token", "delete", "--user", "alice@acme.example", "--serial", TOKEN_ALICE, status=1
    ) == ("403 FORBIDDEN: The Help Desk Admin role is not allowed to delete hardware tokens.")
    refused = super_admin.error(
        "token", "delete", "--user", "bob@acme.example", "--serial", TOKEN_ALICE, status=1
    )
    assert refused.endswith("not to bob@acme.example: not deleted")
    assert token(stack, TOKEN_ALICE) is not None
    deleted = super_admin.json(
        "token", "delete", "--user", "alice@acme.example", "--serial", TOKEN_ALICE
    )
    assert (deleted["tokenSerialNumber"], deleted["assignedUserEmail"]) == (
        TOKEN_ALICE,
        "alice@acme.example",
    )
    assert token(stack, TOKEN_ALICE) is None
    spare = super_admin.run("token", "delete", "--serial", TOKEN_SPARE).stdout  # no holder
    assert f"Deleted hardware token {TOKEN_SPARE}" in spare
    assert token(stack, TOKEN_SPARE) is None


def test_ds100_show_clear_pin_delete(
    stack: Stack, helpdesk: RemoteCli, super_admin: RemoteCli
) -> None:
    dave = stack.tenant.user("dave")
    shown = helpdesk.json("ds100", "show", "--device", DEVICE_DAVE)
    assert [(c["tokenSerialNumber"], c["userId"], c["assignedUserEmail"]) for c in shown] == [
        (CREDENTIAL_DAVE, dave, "dave@acme.example")
    ]
    human = helpdesk.run("ds100", "show", "--device", DEVICE_DAVE).stdout
    assert f"DS100 device {DEVICE_DAVE}" in human and CREDENTIAL_DAVE in human
    assert helpdesk.error("ds100", "show", "--device", "999999999", status=1) == (
        "404 NOT_FOUND: DS100 device 999999999 not found"
    )

    set_credential_pin(stack, CREDENTIAL_DAVE)
    cleared = helpdesk.json(
        "ds100", "clear-pin", "--user", "dave@acme.example", "--device", DEVICE_DAVE
    )
    assert cleared == [{"userId": dave, "tokenSerialNumber": CREDENTIAL_DAVE, "pinSet": False}]
    again = helpdesk.json("ds100", "clear-pin", "--user", dave, "--credential", CREDENTIAL_DAVE)
    assert again[0]["pinSet"] is False
    assert "registered to dave@acme.example, not to alice@acme.example" in helpdesk.error(
        "ds100", "clear-pin", "--user", "alice@acme.example", "--device", DEVICE_DAVE, status=1
    )
    assert "--credential" in helpdesk.error("ds100", "clear-pin", "--user", dave, status=2)

    assert helpdesk.error("ds100", "delete", "--user", dave, "--device", DEVICE_DAVE, status=1) == (
        "403 FORBIDDEN: The Help Desk Admin role is not allowed to delete DS100 OTP credentials."
    )
    assert credential(stack, CREDENTIAL_DAVE) is not None
    deleted = super_admin.json(
        "ds100", "delete", "--user", "dave@acme.example", "--device", DEVICE_DAVE
    )
    assert deleted == {
        "userId": dave,
        "deviceSerialNumber": DEVICE_DAVE,
        "deleted": [CREDENTIAL_DAVE],
    }
    assert credential(stack, CREDENTIAL_DAVE) is None
    assert super_admin.json("ds100", "show", "--device", DEVICE_DAVE) == []
    assert "no OTP credentials" in super_admin.run("ds100", "show", "--device", DEVICE_DAVE).stdout


def test_user_search(stack: Stack, helpdesk: RemoteCli) -> None:
    fleet = add_users_with_tokens(stack, 27, prefix="searched")
    page = helpdesk.json("user", "search", "searched", "--page-size", "10", "--page", "2")
    assert (page["totalPages"], page["totalElements"]) == (3, 27)
    assert [u["emailAddress"] for u in page["elements"]] == [u.email for u in fleet[20:]]
    everyone = helpdesk.json("user", "search", "SEARCHED", "--all")
    assert [u["emailAddress"] for u in everyone] == [u.email for u in fleet]
    assert helpdesk.json("user", "search", "nobody", "--all") == []
    first = helpdesk.run("user", "search", "searched").stdout
    assert "page 1 of 2, 27 users (next: --page 1, or --all)" in first
    assert fleet[0].email in first and fleet[0].id in first and fleet[25].email not in first
    every = helpdesk.run("user", "search", "searched", "--all", "--page-size", "4").stdout
    assert "27 users" in every and all(u.email in every for u in fleet)
    assert helpdesk.run("user", "search", "x", "--page-size", "26", status=2).stdout == ""


def test_user_status_and_mark_deleted(
    stack: Stack, helpdesk: RemoteCli, super_admin: RemoteCli
) -> None:
    alice = stack.tenant.user("alice")
    disabled = super_admin.json("user", "status", "--user", "alice@acme.example", "disabled")
    assert disabled == {"id": alice, "userStatus": "Disabled"}
    marked = super_admin.json("user", "mark-deleted", "--user", alice)
    assert marked == {"id": alice, "markDeleted": True}
    assert super_admin.error("user", "status", "--user", alice, "Enabled", status=1) == (
        f"409 CONFLICT: User {alice} is marked deleted: undelete the user before enabling"
    )
    assert (
        super_admin.json("user", "mark-deleted", "--user", alice, "--undo")["markDeleted"] is False
    )
    human = super_admin.run("user", "status", "--user", alice, "ENABLED").stdout
    assert "Enabled" in human
    assert helpdesk.error("user", "status", "--user", alice, "disabled", status=1) == (
        "403 FORBIDDEN: The Help Desk Admin role is not allowed to change user status."
    )
    assert helpdesk.run("user", "status", "--user", alice, "asleep", status=2).stdout == ""


def test_user_delete(stack: Stack, helpdesk: RemoteCli, super_admin: RemoteCli) -> None:
    carol = stack.tenant.user("carol")  # disabled
    assert helpdesk.error("user", "delete", "--user", carol, status=1) == (
        "403 FORBIDDEN: The Help Desk Admin role is not allowed to delete users."
    )
    assert super_admin.error("user", "delete", "--user", "alice@acme.example", status=1) == (
        f"409 CONFLICT: User {stack.tenant.user('alice')} is enabled: disable the user first"
    )
    deleted = super_admin.json("user", "delete", "--user", "carol@acme.example")
    assert deleted == {"userId": carol, "deleted": True}
    assert super_admin.error("user", "delete", "--user", carol, status=1) == (
        f"404 NOT_FOUND: User {carol} not found"
    )


def test_user_devices_and_sync(stack: Stack, helpdesk: RemoteCli) -> None:
    devices = helpdesk.json("user", "devices", "--user", "dave@acme.example")
    assert [d["deviceSerialNumber"] for d in devices["devices"]] == [DEVICE_DAVE]
    human = helpdesk.run("user", "devices", "--user", "alice@acme.example").stdout
    assert TOKEN_ALICE in human and "SID700" in human
    synced = helpdesk.json("user", "sync", "--user", stack.tenant.user("bob"))
    assert synced["emailAddress"] == "bob@acme.example"


def test_audit_export(stack: Stack, helpdesk: RemoteCli, super_admin: RemoteCli) -> None:
    for index in range(4):
        stack.clock.advance(timedelta(milliseconds=5))
        helpdesk.run("user", "show", f"ghost{index}@nowhere.example", status=1)
    now = stack.clock()
    after, until = (
        format_timestamp(now - timedelta(hours=1)),
        format_timestamp(now + timedelta(hours=1)),
    )
    company = [e for e in stack.audit_events() if e.event.company_id == stack.tenant.company_id]
    page = super_admin.json("audit", "export", "--after", after, "--until", until)
    assert page["totalElements"] == len(company)
    assert [e["eventId"] for e in page["elements"]] == [e.event_id for e in company]
    every = super_admin.json(
        "audit", "export", "--after", after, "--until", until, "--all", "--page-size", "3"
    )
    assert every == page["elements"]
    paris = (now - timedelta(hours=1)).astimezone().isoformat()  # any offset
    human = super_admin.run(
        "audit", "export", "--after", paris, "--until", until, "--page-size", "2"
    ).stdout
    assert f"page 1 of {(len(company) + 1) // 2}, {len(company)} events" in human
    tail = super_admin.run("audit", "export", "--after", after, "--until", until, "--all").stdout
    assert "ghost3@nowhere.example" in tail and "LOOKUP_USER" in tail
    assert helpdesk.error("audit", "export", "--after", after, "--until", until, status=1) == (
        "403 FORBIDDEN: The Help Desk Admin role is not allowed to export audit logs."
    )
    naive = super_admin.run(
        "audit", "export", "--after", "2026-01-01T00:00:00", "--until", until, status=2
    )
    assert "needs an offset" in naive.stderr and naive.stdout == ""
    assert super_admin.run("audit", "export", "--after", after, status=2).stdout == ""


def test_an_unanswered_eac_enable_says_a_code_may_exist(stack: Stack, tmp_path: Path) -> None:
    with socket.socket() as silent:  # takes the connection and the request, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        contents = key_file_contents(stack)
        contents["adminRestApiUrl"] = (
            f"http://127.0.0.1:{silent.getsockname()[1]}/AdminInterface/restapi/"
        )
        key = tmp_path / "silent.key"
        key.write_text(json.dumps(contents))
        cli = RemoteCli(tmp_path, key)
        alice = stack.tenant.user("alice")
        message = cli.error(
            "--timeout", "0.5", "eac", "enable", "--user", alice, "--hours", "1", status=4
        )
    assert "ReadTimeout" in message
    assert message.endswith(
        "(a code may have been issued: run the command again to issue a new one)"
    )
