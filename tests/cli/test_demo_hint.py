"""The commands `mfadesk demo` suggests at its end work, as printed, against the served demo."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import httpx

from mfadesk.otp import tokencode
from tests.support.demo import served_demo


def test_the_suggested_api_commands_work(tmp_path: Path) -> None:
    with served_demo(tmp_path) as demo:
        suggested = [
            line.strip()
            for line in demo.demo_output.splitlines()
            if line.strip().startswith("mfadesk api ")
        ]
        key_file = tmp_path / "var" / "keys" / "help-desk-admin.key"
        assert suggested == [
            f"mfadesk api --key-file {key_file.resolve()} token {verb} "
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


def test_the_suggested_securid_login_enters_new_pin_mode(tmp_path: Path) -> None:
    with served_demo(tmp_path) as demo:
        suggested = [
            line.strip()
            for line in demo.demo_output.splitlines()
            if line.strip().startswith(("mfadesk token add", "mfadesk authn-key add"))
        ]
        assert len(suggested) == 2
        outputs = [
            subprocess.run(
                ["bash", "-euo", "pipefail", "-c", f"{command} --json"],
                cwd=tmp_path,
                env=demo.env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            ).stdout
            for command in suggested
        ]
        key = json.loads(outputs[1])["clientKey"]
        seed = suggested[0].split("--seed ")[1].split()[0]
        serial = suggested[0].split("--serial ")[1].split()[0]
        code = tokencode(bytes.fromhex(seed), serial, int(time.time()))
        base = demo.env["MFADESK_PUBLIC_URL"]
        answer = httpx.post(
            f"{base}/mfa/v1_1/authn/initialize",
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
