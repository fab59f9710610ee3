"""`mfadesk demo` then `mfadesk serve`, driven as the README tells a newcomer to."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jwt
import pytest

from tests.support.live_server import free_port


@pytest.mark.parametrize("workers", [1, 2])
def test_served_demo_tenant_answers_a_key_file_client(tmp_path: Path, workers: int) -> None:
    port = free_port()
    env = {
        **os.environ,
        "MFADESK_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'mfadesk.db'}",
        "MFADESK_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "MFADESK_SECRET_KEY_FILE": str(tmp_path / "var" / "secret.key"),
    }
    command = [sys.executable, "-m", "mfadesk"]
    subprocess.run([*command, "demo"], cwd=tmp_path, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--workers", str(workers)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        key = json.loads((tmp_path / "var" / "keys" / "help-desk-admin.key").read_text())
        now = time.time()
        token = jwt.encode(
            {"sub": key["accessID"], "aud": key["adminRestApiUrl"], "iat": now, "exp": now + 600},
            key["accessKey"],
            algorithm="RS256",
        )
        api = httpx.Client(
            base_url=key["adminRestApiUrl"], headers={"Authorization": f"Bearer {token}"}
        )
        # The line comes once the port is listening: a request sent right after it is
        # answered as soon as the workers are up, never refused.
        said = server.stdout.readline().decode() if server.stdout else ""
        base = f"http://127.0.0.1:{port}"
        assert said == f"mfadesk serving {base}/AdminInterface/restapi/ and {base}/mfa/v1_1/\n"
        found = api.post("v1/users/lookup", json={"email": "alice@example.com"}, timeout=60)
        assert found.status_code == 200
        user_id = found.json()["id"]
        for _ in range(4):  # several requests, so that every worker serves some
            disabled = api.patch(
                f"v1/users/{user_id}/sidTokens/disable", json={"tokenSerialNumber": "000100000001"}
            )
            assert disabled.status_code == 200
            assert disabled.json()["tokenStatus"] == "Disabled"
            assert disabled.json()["tokenStatusChangedBy"] == "helpdesk@example.com"
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0].decode()
    assert "Traceback" not in output
