"""The commands `mfadesk demo` suggests at its end work, as printed, against the served demo,
whether or not the virtual environment is on PATH; the demo follows the port it is served on."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mfadesk.otp.tokencodes import tokencode
from tests.support.demo import VENV_BIN, served_demo, user_environment


@pytest.mark.parametrize("venv_on_path", [True, False], ids=["activated", "fresh-shell"])
def test_the_suggested_api_commands_work(tmp_path: Path, venv_on_path: bool) -> None:
    program = "mfadesk" if venv_on_path else str(VENV_BIN / "mfadesk")
    with served_demo(tmp_path, venv_on_path=venv_on_path) as demo:
        suggested = [
            line.strip()
            for line in demo.demo_output.splitlines()
            if line.strip().startswith(f"{program} api ")
        ]
        key_file = tmp_path / "var" / "keys" / "help-desk-admin.key"
        assert suggested == [
            f"{program} api --key-file {key_file.resolve()} token {verb} "
            "--user alice@example.com --serial 000100000001"
            for verb in ("disable", "enable")
        ]
        statuses = []
        for command in suggested:
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", f"{command} --json"],
                cwd=tmp_path,
                env=demo.env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
            reply = json.loads(done.stdout)
            assert reply["tokenStatusChangedBy"] == "helpdesk@example.com"
            statuses.append(reply["tokenStatus"])
        assert statuses == ["Disabled", "Enabled"]
        shown = subprocess.run(
            ["bash", "-c", suggested[0]],
            cwd=tmp_path,
            env=demo.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert shown.returncode == 0 and "Hardware token 000100000001" in shown.stdout


def test_demo_served_on_another_port_repoints_its_key_files(tmp_path: Path) -> None:
    def demo(url: str) -> str:
        env = {**user_environment(venv_on_path=False), "MFADESK_PUBLIC_URL": url}
        return subprocess.run(
            [sys.executable, "-m", "mfadesk", "demo"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    demo("http://127.0.0.1:8080")
    key_file = tmp_path / "var" / "keys" / "super-admin.key"
    before = json.loads(key_file.read_text())
    printed = demo("http://127.0.0.1:9000")
    after = json.loads(key_file.read_text())
    assert after == {**before, "adminRestApiUrl": "http://127.0.0.1:9000/AdminInterface/restapi/"}
    assert f"key file {key_file.resolve()} now names http://127.0.0.1:9000/" in printed
    assert "Admin API: http://127.0.0.1:9000/AdminInterface/restapi/" in printed
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_suggested_securid_login_enters_new_pin_mode(tmp_path: Path) -> None:
    program = str(VENV_BIN / "mfadesk")
    with served_demo(tmp_path, venv_on_path=False) as demo:
        suggested = [
            line.strip()
            for line in demo.demo_output.splitlines()
            if line.strip().startswith((f"{program} token add", f"(umask 077 && {program} authn"))
        ]
        assert len(suggested) == 2
        for command in suggested:
            subprocess.run(
                ["bash", "-euo", "pipefail", "-c", command],
                cwd=tmp_path,
                env=demo.env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
        key = json.loads((tmp_path / "var" / "try-it.json").read_text())["clientKey"]
        seed = suggested[0].split("--seed ")[1].split()[0]
        serial = suggested[0].split("--serial ")[1].split()[0]
        code = tokencode(bytes.fromhex(seed), serial, int(time.time()))
        answer = httpx.post(
            f"http://127.0.0.1:{demo.port}/mfa/v1_1/authn/initialize",
            headers={"client-key": key},
            json={
                "subjectName": "alice@example.com",
                "context": {"messageId": "try-it"},
                "subjectCredentials": [
                    {"methodId": "SECURID", "collectedInputs": [{"name": "SECURID", "value": code}]}
                ],
            },
            timeout=30,
        ).json()
        assert answer["attemptResponseCode"] == "CHALLENGE"
        [challenge] = answer["challengeMethods"]["challenges"]
        assert challenge["requiredMethods"][0]["methodId"] == "SECURID_NEWPIN"
