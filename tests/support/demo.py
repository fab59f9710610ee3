"""`mfadesk demo` then `mfadesk serve`, as the README tells a newcomer: real processes, the
venv's `mfadesk` on PATH, the demo's key files under ``var/keys``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mfadesk.client import AdminClient, TransportError
from tests.support.live_server import free_port


@dataclass(frozen=True)
class ServedDemo:
    env: dict[str, str]  # what a user's shell would have (no MFADESK_KEY_FILE)
    demo_output: str  # what `mfadesk demo` printed


@contextmanager
def served_demo(cwd: Path) -> Iterator[ServedDemo]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MFADESK_")}
    env.pop("COLUMNS", None)
    env.update(
        MFADESK_DATABASE_URL=f"sqlite:///{cwd / 'var' / 'mfadesk.db'}",
        MFADESK_PUBLIC_URL=f"http://127.0.0.1:{port}",
        MFADESK_SECRET_KEY_FILE=str(cwd / "var" / "secret.key"),
        MFADESK_OFFLINE_HASH_COST="10",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    command = [sys.executable, "-m", "mfadesk"]
    made = subprocess.run(
        [*command, "demo"], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        key_file = cwd / "var" / "keys" / "help-desk-admin.key"
        deadline = time.monotonic() + 60
        with AdminClient.from_key_file(key_file) as api:
            while True:
                try:
                    api.lookup_user("alice@example.com")
                    break
                except TransportError:
                    assert server.poll() is None and time.monotonic() < deadline
        yield ServedDemo(env, made.stdout)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
