"""The systemd unit shipped in deploy/: `systemd-analyze verify` finds nothing to say about it
(where systemd-analyze exists), and its lines parse whatever the machine."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "mfadesk.service"
INSTALLED = "/opt/mfadesk/bin/mfadesk"


def sections(text: str) -> dict[str, dict[str, str]]:
    """The unit's sections and keys; every line a comment, a section header or KEY=VALUE."""
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        header = re.fullmatch(r"\[([A-Za-z]+)\]", line)
        if header:
            current = found.setdefault(header.group(1), {})
            continue
        pair = re.fullmatch(r"([A-Za-z][A-Za-z0-9]*)=(.*)", line)
        assert pair and current is not None, f"line {number}: {line!r}"
        current[pair.group(1)] = pair.group(2)
    return found


def test_unit_parses_and_serves_with_a_graceful_stop() -> None:
    unit = sections(UNIT.read_text())
    assert set(unit) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert service["ExecStart"].startswith(f"{INSTALLED} serve ")
    assert service["KillSignal"] == "SIGTERM"
    assert service["KillMode"] == "mixed"  # the main process stops its workers itself
    # systemd waits longer than the server's own bound before it kills.
    assert int(service["TimeoutStopSec"]) > 30
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verify_is_silent(tmp_path: Path) -> None:
    # verify checks that ExecStart's program exists: point it at this checkout's mfadesk.
    program = Path(sys.executable).parent / "mfadesk"
    copy = tmp_path / "mfadesk.service"
    copy.write_text(UNIT.read_text().replace(INSTALLED, str(program)))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    said = [line for line in (result.stdout + result.stderr).splitlines() if copy.name in line]
    assert result.returncode == 0, result.stderr
    assert said == []  # an unknown key or a bad value is only a warning
