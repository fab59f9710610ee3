"""The examples of docs/sdk.md and of the README's SDK section, run as written against
`mfadesk demo` served on loopback: every ```python and ```sh block, in order."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mfadesk.client import AdminClient, TransportError
from tests.support.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```(python|sh)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def examples(document: str, section: str | None = None) -> list[tuple[str, str]]:
    text = (ROOT / document).read_text()
    if section is not None:
        start = text.index(f"\n## {section}\n")
        end = text.find("\n## ", start + 1)
        text = text[start : end if end != -1 else None]
    return [(match[1], match[2]) for match in BLOCK.finditer(text)]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`mfadesk demo` then `mfadesk serve`, as the README tells a newcomer; the environment
    the examples run in (the venv's `mfadesk` on PATH)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MFADESK_")}
    env.update(
        MFADESK_DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'mfadesk.db'}",
        MFADESK_PUBLIC_URL=f"http://127.0.0.1:{port}",
        MFADESK_SECRET_KEY_FILE=str(tmp_path / "var" / "secret.key"),
        MFADESK_OFFLINE_HASH_COST="10",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    command = [sys.executable, "-m", "mfadesk"]
    subprocess.run([*command, "demo"], cwd=tmp_path, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        key_file = tmp_path / "var" / "keys" / "help-desk-admin.key"
        deadline = time.monotonic() + 60
        with AdminClient.from_key_file(key_file) as api:
            while True:
                try:
                    api.lookup_user("alice@example.com")
                    break
                except TransportError:
                    assert server.poll() is None and time.monotonic() < deadline
        # the examples' own environment: only what a user's shell would have
        yield {**env, "MFADESK_KEY_FILE": "var/keys/help-desk-admin.key"}
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def run_examples(blocks: list[tuple[str, str]], cwd: Path, env: dict[str, str]) -> str:
    output = []
    for language, code in blocks:
        if language == "python":
            command = [sys.executable, "-c", code]
        else:
            command = ["bash", "-euo", "pipefail", "-c", code]
        result = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False
        )
        assert result.returncode == 0, f"{language} example failed:\n{code}\n{result.stderr}"
        assert "Traceback" not in result.stderr
        output.append(result.stdout)
    return "\n".join(output)


def test_sdk_guide_examples_run(demo: dict[str, str], tmp_path: Path) -> None:
    blocks = examples("docs/sdk.md")
    assert [language for language, _ in blocks].count("python") >= 6
    assert [language for language, _ in blocks].count("sh") >= 2
    output = run_examples(blocks, tmp_path, demo)
    assert "Disabled helpdesk@example.com" in output
    assert "404 404 NOT_FOUND User nobody@example.com not found" in output
    assert "409 CONFLICT: Hardware token 000100000002 is not assigned to user" in output
    assert "ClientStats(requests=1, retries=0, rate_limited=0)" in output
    assert "000100000001 Disabled" in output and "000100000002 Disabled" in output
    assert "Hardware token 1 is not assigned to a user" in output
    codes = tmp_path / "outage-codes.csv"
    assert stat.S_IMODE(codes.stat().st_mode) == 0o600
    assert len(codes.read_text().splitlines()) == 3  # header + Alice + Bob
    results = (tmp_path / "outage.results.csv").read_text().splitlines()
    assert len(results) == 5 and all(",ok," in line for line in results[1:])


def test_readme_sdk_examples_run(demo: dict[str, str], tmp_path: Path) -> None:
    blocks = examples("README.md", "The Python SDK and `mfadesk api`")
    assert [language for language, _ in blocks] == ["python", "sh"]
    output = run_examples(blocks, tmp_path, demo)
    assert "Disabled\nEnabled\n404 NOT_FOUND User nobody@example.com not found" in output
    assert '"tokenStatus": "Disabled"' in output
    assert len((tmp_path / "site-codes.csv").read_text().splitlines()) == 2
