"""`mfadesk authn-key …` and `mfadesk token import` as a shell runs them (real processes, real
files), then an agent authenticating against what they made."""

from __future__ import annotations

import io
import json
import os
import pty
import secrets
import select
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from pskc import PSKC
from sqlalchemy import create_engine, text

from mfadesk.api.app import create_app
from mfadesk.otp.tokencodes import tokencode
from mfadesk.settings import Settings
from tests.otp.conftest import build_sdtid
from tests.support.live_server import LiveServer, free_port
from tests.support.operator_cli import Cli

SECURID_AES = "http://www.rsa.com/names/2008/04/algorithms/SecurID#SecurID-AES"


@contextmanager
def served(cli: Cli) -> Iterator[str]:
    """The app on the CLI's database (real clock), serving on loopback."""
    settings = Settings.from_env(cli.env)
    port = free_port()
    with LiveServer(create_app(settings.with_public_url(f"http://127.0.0.1:{port}")), port) as s:
        yield s.base_url + "/mfa/v1_1/authn"


def initialize(base: str, key: str, subject: str, passcode: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"subjectName": subject, "context": {"messageId": str(uuid.uuid4())}}
    if passcode is not None:
        body["subjectCredentials"] = [
            {"methodId": "SECURID", "collectedInputs": [{"name": "SECURID", "value": passcode}]}
        ]
    return httpx.post(f"{base}/initialize", json=body, headers={"client-key": key}, timeout=30)


def rows(cli: Cli, query: str) -> list[Any]:
    engine = create_engine(cli.env["MFADESK_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(query)))
    finally:
        engine.dispose()


def test_authn_key_add_list_revoke(cli: Cli) -> None:
    cli.run("user", "add", "--email", "eve@example.com")
    created = cli.json("authn-key", "add", "--name", "vpn-gateway")
    assert set(created) == {"name", "clientKey"} and created["name"] == "vpn-gateway"
    key = created["clientKey"]
    assert len(key) == 43
    human = cli.run("authn-key", "add", "--name", "radius")
    assert human.stdout.startswith("authentication key radius: ")
    assert "cannot be shown again" in human.stderr
    stored = rows(cli, "SELECT name, key_hash FROM authn_keys ORDER BY name")
    assert [r.name for r in stored] == ["radius", "vpn-gateway"]
    assert all(key not in r.key_hash and len(r.key_hash) == 64 for r in stored)

    listed = cli.json("authn-key", "list")
    assert [(k["name"], k["revokedAt"]) for k in listed] == [
        ("radius", None),
        ("vpn-gateway", None),
    ]
    assert "already exists" in cli.fails("authn-key", "add", "--name", "vpn-gateway")
    assert "authentication key name" in cli.fails("authn-key", "add", "--name", "-bad")

    with served(cli) as base:
        assert initialize(base, key, "eve@example.com").status_code == 200
        assert cli.run("authn-key", "revoke", "vpn-gateway").stdout.strip() == (
            "authentication key vpn-gateway revoked"
        )
        assert initialize(base, key, "eve@example.com").status_code == 401
    revoked = {k["name"]: k["revokedAt"] for k in cli.json("authn-key", "list")}
    assert revoked["vpn-gateway"] is not None and revoked["radius"] is None
    assert "not found" in cli.fails("authn-key", "revoke", "nope")
    assert "revoked" in cli.run("authn-key", "list").stdout
    assert cli.run("audit", "verify").returncode == 0


def pskc_file(path: Path, tokens: list[tuple[str, bytes]], preshared: bytes | None = None) -> None:
    container = PSKC()
    for serial, seed in tokens:
        container.add_key(
            serial=serial,
            secret=seed,
            algorithm=SECURID_AES,
            response_length=6,
            response_encoding="DECIMAL",
            time_interval=60,
        )
    if preshared is not None:
        container.encryption.setup_preshared_key(key=preshared)
    buffer = io.BytesIO()
    container.write(buffer)
    path.write_bytes(buffer.getvalue())


def serial() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(12))


def test_token_import_sdtid_twice_then_authenticate(cli: Cli, tmp_path: Path) -> None:
    cli.run("user", "add", "--email", "eve@example.com")
    tokens = [(serial(), secrets.token_bytes(16)) for _ in range(3)]
    sdtid = tmp_path / "batch.sdtid"
    good = build_sdtid(tokens, password="s3cret")
    sdtid.write_bytes(good)
    user_map = tmp_path / "owners.csv"
    user_map.write_text(f"serial,email\n{int(tokens[0][0])},eve@example.com\n")
    password = tmp_path / "password.txt"
    password.write_text("s3cret\n")

    first = cli.json(
        "token", "import", str(sdtid), "--password-file", str(password), "--user-map", str(user_map)
    )
    assert first == {
        "format": "sdtid",
        "imported": [s for s, _ in tokens],
        "skipped": [],
        "rejected": [],
    }
    again = cli.run("token", "import", str(sdtid), "--password", "s3cret")
    assert again.stdout.strip() == "imported 0, skipped 3 (already present), rejected 0"

    stored = rows(cli, "SELECT serial, status, user_id FROM hardware_tokens ORDER BY serial")
    states = {r.serial: (r.status, r.user_id is not None) for r in stored}
    assert states[tokens[0][0]] == ("Enabled", True)  # mapped: assigned and enabled
    assert states[tokens[1][0]] == states[tokens[2][0]] == ("Disabled", False)
    events = rows(cli, "SELECT action FROM audit_events WHERE action = 'CREATE_HARDWARE_TOKEN'")
    assert len(events) == 3

    key = cli.json("authn-key", "add", "--name", "agent")["clientKey"]
    owned, seed = tokens[0]
    with served(cli) as base:
        code = tokencode(seed, owned, int(time.time()))
        answer = initialize(base, key, "eve@example.com", code).json()
    # An imported token has no PIN: its first tokencode opens New PIN mode (PINs required).
    assert answer["attemptResponseCode"] == "CHALLENGE"
    [challenge] = answer["challengeMethods"]["challenges"]
    assert challenge["requiredMethods"][0]["methodId"] == "SECURID_NEWPIN"


def test_token_import_reports_rejections_and_pskc(cli: Cli, tmp_path: Path) -> None:
    cli.run("user", "add", "--email", "eve@example.com")
    sdtid = tmp_path / "batch.sdtid"
    sdtid.write_bytes(build_sdtid([(serial(), secrets.token_bytes(16))], password="right"))
    wrong = cli.json("token", "import", str(sdtid), "--password", "wrong")
    assert wrong["imported"] == [] and len(wrong["rejected"]) == 1
    assert "MAC check failed" in wrong["rejected"][0]["reason"]

    pskc = tmp_path / "tokens.pskcxml"
    mapped, unmapped = serial(), serial()
    pskc_file(pskc, [(mapped, secrets.token_bytes(16)), (unmapped, secrets.token_bytes(16))])
    owners = tmp_path / "owners.csv"
    owners.write_text(f"{mapped},nobody@example.com\n")
    report = cli.json("token", "import", str(pskc), "--user-map", str(owners))
    assert report == {
        "format": "pskc",
        "imported": [unmapped],
        "skipped": [],
        "rejected": [{"serial": mapped, "reason": "User nobody@example.com not found"}],
    }
    human = cli.run("token", "import", str(pskc))
    assert human.stdout.splitlines() == [
        "imported 1, skipped 1 (already present), rejected 0",
    ]


def test_token_import_errors_are_one_line(cli: Cli, tmp_path: Path) -> None:
    assert "cannot be read" in cli.fails("token", "import", str(tmp_path / "missing.sdtid"))
    junk = tmp_path / "junk.xml"
    junk.write_text("<html/>")
    assert "neither an RSA .sdtid file nor a PSKC file" in cli.fails("token", "import", str(junk))
    bad_map = tmp_path / "map.csv"
    bad_map.write_text("12345\n")
    assert "expected 'serial,email'" in cli.fails(
        "token", "import", str(junk), "--user-map", str(bad_map)
    )
    bad_map.write_text("ABC,eve@example.com\n")
    assert "is not a token serial" in cli.fails(
        "token", "import", str(junk), "--user-map", str(bad_map)
    )
    assert "hexadecimal" in cli.fails("token", "import", str(junk), "--pskc-key", "zz")


def test_token_add_with_seed_authenticates(cli: Cli) -> None:
    cli.run("user", "add", "--email", "eve@example.com")
    seed = secrets.token_bytes(16)
    cli.json(
        "token", "add", "--serial", "123456789", "--user", "eve@example.com", "--seed", seed.hex()
    )
    assert "needs a serial of 1 to 12 digits" in cli.fails(
        "token", "add", "--serial", "ABC", "--seed", seed.hex()
    )
    key = cli.json("authn-key", "add", "--name", "agent")["clientKey"]
    cli.run("settings", "set", "--pin-optional")  # no New PIN mode: the tokencode alone
    with served(cli) as base:
        code = tokencode(seed, "123456789", int(time.time()))
        assert initialize(base, key, "eve@example.com", code).json()["attemptResponseCode"] == (
            "SUCCESS"
        )
        assert (
            json.loads(initialize(base, key, "eve@example.com", code).text)["attemptResponseCode"]
            == "FAIL"
        )


def test_token_import_reads_its_secrets_from_files(cli: Cli, tmp_path: Path) -> None:
    preshared = secrets.token_bytes(16)
    pskc = tmp_path / "tokens.pskcxml"
    pskc_file(pskc, [(serial(), secrets.token_bytes(16))], preshared)
    without = cli.json("token", "import", str(pskc))  # no terminal to ask at: the summary says
    assert without["imported"] == []
    assert "pre-shared key was not given" in without["rejected"][0]["reason"]
    key_file = tmp_path / "pskc.key"
    key_file.write_text(preshared.hex() + "\n")
    with_key = cli.json("token", "import", str(pskc), "--pskc-key-file", str(key_file))
    assert len(with_key["imported"]) == 1
    assert cli.fails(
        "token", "import", str(pskc), "--pskc-key-file", str(key_file), "--pskc-key", "00"
    ) == ("mfadesk: error: give --pskc-key or --pskc-key-file, not both")
    missing = tmp_path / "nope.txt"
    assert cli.fails("token", "import", str(pskc), "--password-file", str(missing)) == (
        f"mfadesk: error: --password-file: cannot read {missing}: No such file or directory"
    )


def at_terminal(cli: Cli, args: list[str], answer: str) -> str:
    """Run the command on a pseudo-terminal of its own, answering its prompt; all it wrote."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "mfadesk", *args],
        cwd=cli.cwd,
        env=cli.env,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        pass_fds=(terminal,),
        # its controlling terminal, as in a shell (login_tty only makes system calls)
        preexec_fn=lambda: os.login_tty(terminal),  # noqa: PLW1509
    )
    os.close(terminal)
    seen, answered = b"", False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if select.select([controller], [], [], 0.5)[0]:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # EIO: the command has ended
                    break
                seen += chunk
                if not answered and b"Password of" in seen:
                    os.write(controller, answer.encode() + b"\n")
                    answered = True
            elif process.poll() is not None:
                break
    finally:
        os.close(controller)
        process.wait(timeout=30)
    return seen.decode(errors="replace")


def test_token_import_asks_for_the_password_at_a_terminal(cli: Cli, tmp_path: Path) -> None:
    sdtid = tmp_path / "batch.sdtid"
    sdtid.write_bytes(build_sdtid([(serial(), secrets.token_bytes(16))], password="s3cret"))
    said = at_terminal(cli, ["token", "import", str(sdtid)], "s3cret")
    assert "Password of batch.sdtid: " in said
    assert "imported 1, skipped 0 (already present), rejected 0" in said
    assert "s3cret" not in said  # not echoed
