"""A real `mfadesk serve` process on the demo tenant (SQLite file), for the tests that signal
it or copy its database while it serves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt

from tests.support.live_server import free_port

COMMAND = [sys.executable, "-m", "mfadesk"]


@dataclass(frozen=True, slots=True)
class ServedProcess:
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    database: Path
    key: dict[str, str]  # the demo help-desk admin's key file

    def api(self) -> httpx.Client:
        now = time.time()
        claims = {
            "sub": self.key["accessID"],
            "aud": self.key["adminRestApiUrl"],
            "iat": now,
            "exp": now + 600,
        }
        token = jwt.encode(claims, self.key["accessKey"], algorithm="RS256")
        return httpx.Client(
            base_url=self.key["adminRestApiUrl"],
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )

    def mfadesk(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*COMMAND, *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


@contextmanager
def served_demo_process(tmp_path: Path, *args: str, **env: str) -> Iterator[ServedProcess]:
    """`mfadesk demo` then `mfadesk serve ARGS` (output piped; stopped by SIGINT at the end if
    still running)."""
    port = free_port()
    database = tmp_path / "var" / "mfadesk.db"
    full_env = {
        **os.environ,
        "MFADESK_DATABASE_URL": f"sqlite:///{database}",
        "MFADESK_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "MFADESK_SECRET_KEY_FILE": str(tmp_path / "var" / "secret.key"),
        "MFADESK_OFFLINE_HASH_COST": "10",
        "MFADESK_RATE_LIMIT_PER_SECOND": "1000000",
        **env,
    }
    subprocess.run([*COMMAND, "demo"], cwd=tmp_path, env=full_env, check=True, capture_output=True)
    key = json.loads((tmp_path / "var" / "keys" / "help-desk-admin.key").read_text())
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", str(port), *args],
        cwd=tmp_path,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()  # the port listens
        yield ServedProcess(process, full_env, database, key)
    finally:
        if process.poll() is None:
            process.send_signal(2)
            process.communicate(timeout=60)
