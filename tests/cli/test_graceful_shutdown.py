"""SIGTERM to a real `mfadesk serve` under load: requests in progress finish, every write it
acknowledged is in the database, and the process exits 0 (issue 14, point 5)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import jwt
import pytest

from tests.support.live_server import free_port

CONNECTIONS = 12
USERS = ("alice@example.com", "bob@example.com", "dave@example.com")


def _token(key: dict[str, str]) -> str:
    now = time.time()
    claims = {"sub": key["accessID"], "aud": key["adminRestApiUrl"], "iat": now, "exp": now + 600}
    return jwt.encode(claims, key["accessKey"], algorithm="RS256")


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_under_load_loses_no_acknowledged_write(tmp_path: Path, workers: int) -> None:
    port = free_port()
    database = tmp_path / "var" / "mfadesk.db"
    env = {
        **os.environ,
        "MFADESK_DATABASE_URL": f"sqlite:///{database}",
        "MFADESK_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "MFADESK_SECRET_KEY_FILE": str(tmp_path / "var" / "secret.key"),
        "MFADESK_OFFLINE_HASH_COST": "10",  # a few ms per code: requests are in flight
        "MFADESK_RATE_LIMIT_PER_SECOND": "1000000",
    }
    command = [sys.executable, "-m", "mfadesk"]
    subprocess.run([*command, "demo"], cwd=tmp_path, env=env, check=True, capture_output=True)
    key = json.loads((tmp_path / "var" / "keys" / "help-desk-admin.key").read_text())
    headers = {"Authorization": f"Bearer {_token(key)}"}
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--workers", str(workers)],
        cwd=tmp_path,
        env={**env, "MFADESK_SHUTDOWN_TIMEOUT": "20"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert server.stdout is not None
    server.stdout.readline()  # listening
    with httpx.Client(base_url=key["adminRestApiUrl"], headers=headers, timeout=60) as api:
        ids = [api.post("v1/users/lookup", json={"email": email}).json()["id"] for email in USERS]
    acknowledged: list[tuple[str, float]] = []  # (code id, when its reply came)
    unexpected: list[str] = []
    signalled = threading.Event()

    def drive(index: int) -> None:
        user_id = ids[index % len(ids)]
        with httpx.Client(base_url=key["adminRestApiUrl"], headers=headers, timeout=60) as api:
            for _ in range(2000):
                try:
                    reply = api.put(
                        f"v1/users/{user_id}/emergencyTokencode", json={"expirationDays": "1"}
                    )
                except httpx.TransportError:
                    if signalled.is_set():
                        return  # no longer accepting: refused or closed, never acknowledged
                    raise
                if reply.status_code != 200:
                    unexpected.append(f"{reply.status_code} {reply.text}")
                    return
                acknowledged.append((reply.json()["emergencyTokencodeId"], time.monotonic()))

    threads = [threading.Thread(target=drive, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 60 and not unexpected:
        time.sleep(0.01)
    signalled_at = time.monotonic()
    signalled.set()
    server.send_signal(signal.SIGTERM)
    for thread in threads:
        thread.join(timeout=60)
    output = server.communicate(timeout=60)[0].decode()
    assert unexpected == []
    assert server.returncode == 0, output
    assert "Traceback" not in output
    # Requests in progress at the signal were answered, not dropped.
    assert any(when > signalled_at for _, when in acknowledged)
    with sqlite3.connect(database) as stored:
        rows = {row[0] for row in stored.execute("SELECT id FROM emergency_tokencodes")}
    missing = [code for code, _ in acknowledged if code not in rows]
    assert missing == [], f"{len(missing)} of {len(acknowledged)} acknowledged writes lost"
