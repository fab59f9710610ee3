"""The commands `mfadesk demo` suggests at its end work, as printed, against the served demo."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

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
