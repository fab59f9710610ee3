"""`mfadesk api …` single commands as real processes against the server on loopback."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from mfadesk.domain.audit import Action
from tests.conftest import Stack
from tests.support.live_server import free_port
from tests.support.remote_cli import RemoteCli
from tests.support.sdk import key_file_contents, write_key_file
from tests.support.tenant import CREDENTIAL_DAVE, DEVICE_DAVE, TOKEN_ALICE, TOKEN_BOB


@pytest.fixture
def cli(stack: Stack, tmp_path: Path) -> RemoteCli:
    return RemoteCli(tmp_path, write_key_file(stack, tmp_path, "helpdesk"))


def test_user_show(stack: Stack, cli: RemoteCli) -> None:
    with stack.client() as api:
        expected = api.post("v1/users/lookup", json={"email": "alice@acme.example"}).json()
    assert cli.json("user", "show", "alice@acme.example") == expected
    human = cli.run("user", "show", "alice@acme.example").stdout
    assert "User alice@acme.example" in human
    assert stack.tenant.user("alice") in human and "emergencyAccessStatus" in human
    assert cli.error("user", "show", "nobody@acme.example", status=1) == (
        "404 NOT_FOUND: User nobody@acme.example not found"
    )
    failed = cli.run("user", "show", "nobody@acme.example", "--json", status=1)
    assert json.loads(failed.stderr)["error"] == {
        "message": "404 NOT_FOUND: User nobody@acme.example not found",
        "status": 404,
        "code": "404 NOT_FOUND",
        "description": "User nobody@acme.example not found",
    }


def test_token_disable_and_enable_by_email_or_id(stack: Stack, cli: RemoteCli) -> None:
    alice = stack.tenant.user("alice")
    disabled = cli.json("token", "disable", "--user", "alice@acme.example", "--serial", TOKEN_ALICE)
    assert (disabled["userId"], disabled["tokenStatus"]) == (alice, "Disabled")
    assert disabled["tokenStatusChangedBy"] == "helpdesk@acme.example"
    human = cli.run("token", "enable", "--user", alice, "--serial", TOKEN_ALICE).stdout
    assert f"Hardware token {TOKEN_ALICE}" in human and "Enabled" in human
    assert cli.error("token", "disable", "--user", alice, "--serial", TOKEN_BOB, status=1) == (
        f"409 CONFLICT: Hardware token {TOKEN_BOB} is not assigned to user {alice}"
    )
    statuses = [
        e.event.changed
        for e in stack.audit_events()
        if e.event.action in (Action.DISABLE_HARDWARE_TOKEN, Action.ENABLE_HARDWARE_TOKEN)
        and e.event.result == "SUCCESS"
    ]
    assert statuses == [True, True]


def test_ds100_disable_and_enable(stack: Stack, cli: RemoteCli) -> None:
    dave = stack.tenant.user("dave")
    disabled = cli.json("ds100", "disable", "--user", "dave@acme.example", "--device", DEVICE_DAVE)
    assert [(c["userId"], c["tokenSerialNumber"], c["tokenStatus"]) for c in disabled] == [
        (dave, CREDENTIAL_DAVE, "Disabled")
    ]
    human = cli.run("ds100", "enable", "--user", dave, "--device", DEVICE_DAVE).stdout
    assert f"DS100 OTP credential {CREDENTIAL_DAVE}" in human and "Enabled" in human
    assert cli.error("ds100", "enable", "--user", dave, "--device", "1", status=1).startswith(
        "400 BAD_REQUEST: deviceSerialNumber"
    )


def test_eac_enable_then_disable(stack: Stack, cli: RemoteCli, tmp_path: Path) -> None:
    bob = stack.tenant.user("bob")
    issued = cli.json("eac", "enable", "--user", "bob@acme.example", "--days", "2")
    assert issued["userId"] == bob and len(issued["emergencyTokencode"]) == 8
    with stack.client() as api:
        details = api.post("v1/users/lookup", json={"email": "bob@acme.example"}).json()
    assert details["emergencyTokencodeId"] == issued["emergencyTokencodeId"]

    disabled = cli.json("eac", "disable", "--user", "bob@acme.example")
    assert disabled == {
        "userId": bob,
        "emergencyTokencodeId": issued["emergencyTokencodeId"],
        "emergencyAccessStatus": "Disabled",
        "changed": True,
    }
    again = cli.json("eac", "disable", "--user", "bob@acme.example")
    assert again["changed"] is False and again["emergencyTokencodeId"] is None

    codes = tmp_path / "codes.csv"
    shown = cli.run("eac", "enable", "--user", bob, "--days", "1", "--codes", str(codes)).stdout
    assert stat.S_IMODE(codes.stat().st_mode) == 0o600
    header, line = codes.read_text().splitlines()
    code = line.split(",")[4]
    assert header.split(",")[4] == "emergencyTokencode" and len(code) == 8
    assert code not in shown and "written to" in shown
    assert "--eac-id" in cli.error("eac", "disable", "--user", bob, status=2)


def test_key_file_from_option_env_or_group(stack: Stack, tmp_path: Path) -> None:
    key = write_key_file(stack, tmp_path, "super")
    bare = RemoteCli(tmp_path, None)
    assert "no key file" in bare.error("user", "show", "alice@acme.example", status=2)
    leaf = bare.json("user", "show", "alice@acme.example", "--key-file", str(key))
    group = json.loads(
        bare.run("--key-file", str(key), "--json", "user", "show", "alice@acme.example").stdout
    )
    assert leaf == group and leaf["id"] == stack.tenant.user("alice")
    (tmp_path / "bad.key").write_text("{}")
    message = bare.error("user", "show", "a@b", "--key-file", str(tmp_path / "bad.key"), status=2)
    assert "not an API key file" in message


def test_unreachable_service_exits_4(stack: Stack, tmp_path: Path) -> None:
    contents = key_file_contents(stack)
    contents["adminRestApiUrl"] = f"http://127.0.0.1:{free_port()}/AdminInterface/restapi/"
    key = tmp_path / "elsewhere.key"
    key.write_text(json.dumps(contents))
    cli = RemoteCli(tmp_path, key)
    # one try: no "retrying…" line (see test_one_line_errors.py for the retries)
    message = cli.error("--max-attempts", "1", "user", "show", "alice@acme.example", status=4)
    assert "ConnectError" in message
