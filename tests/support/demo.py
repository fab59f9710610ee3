"""The demo served as `make run` serves it: ``scripts/demo-server`` (`mfadesk demo`, then
`mfadesk serve`) on a free port, run from a temporary directory that stands for the clone's
root (``var/`` holds the database, the master key and the demo's key files)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mfadesk.client import AdminClient, TransportError
from tests.support.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"


@dataclass(frozen=True, slots=True)
class ServedDemo:
    env: dict[str, str]  # what a user's shell would have (no MFADESK_KEY_FILE)
    demo_output: str  # what `mfadesk demo` printed
    port: int


def user_environment(*, venv_on_path: bool) -> dict[str, str]:
    """This process's environment less mfadesk's settings; the clone's ``.venv/bin`` first on
    PATH (as `source .venv/bin/activate` puts it) or not on it at all."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MFADESK_") and name not in ("COLUMNS", "PORT", "VIRTUAL_ENV")
    }
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p) != VENV_BIN]
    env["PATH"] = os.pathsep.join([str(VENV_BIN), *path] if venv_on_path else path)
    return env


@contextmanager
def served_demo(cwd: Path, *, venv_on_path: bool = True) -> Iterator[ServedDemo]:
    port = free_port()
    env = user_environment(venv_on_path=venv_on_path)
    server_env = {**env, "PORT": str(port), "MFADESK_OFFLINE_HASH_COST": "10"}
    log = cwd / "demo-server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [ROOT / "scripts" / "demo-server"],
            cwd=cwd,
            env=server_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        key_file = cwd / "var" / "keys" / "help-desk-admin.key"
        deadline = time.monotonic() + 60
        while not key_file.exists():
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        with AdminClient.from_key_file(key_file) as api:
            while True:
                try:
                    api.lookup_user("alice@example.com")
                    break
                except TransportError:
                    assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                    time.sleep(0.05)
        yield ServedDemo(env, log.read_text(), port)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
