"""SIGTERM to a real `mfadesk serve` under load: requests in progress finish, every write it
acknowledged is in the database, and the process exits 0 (issue 14, point 5)."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.serve_process import served_demo_process

CONNECTIONS = 12
USERS = ("alice@example.com", "bob@example.com", "dave@example.com")


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_under_load_loses_no_acknowledged_write(tmp_path: Path, workers: int) -> None:
    with served_demo_process(
        tmp_path, "--workers", str(workers), MFADESK_SHUTDOWN_TIMEOUT="20"
    ) as served:
        with served.api() as api:
            ids = [
                api.post("v1/users/lookup", json={"email": email}).json()["id"] for email in USERS
            ]
        acknowledged: list[tuple[str, float]] = []  # (code id, when its reply came)
        unexpected: list[str] = []
        signalled = threading.Event()

        def drive(index: int) -> None:
            user_id = ids[index % len(ids)]
            with served.api() as api:
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
        served.process.send_signal(signal.SIGTERM)
        for thread in threads:
            thread.join(timeout=60)
        output = served.process.communicate(timeout=60)[0].decode()
    assert unexpected == []
    assert served.process.returncode == 0, output
    assert "Traceback" not in output
    # Requests in progress at the signal were answered, not dropped.
    assert any(when > signalled_at for _, when in acknowledged)
    with sqlite3.connect(served.database) as stored:
        rows = {row[0] for row in stored.execute("SELECT id FROM emergency_tokencodes")}
    missing = [code for code, _ in acknowledged if code not in rows]
    assert missing == [], f"{len(missing)} of {len(acknowledged)} acknowledged writes lost"
