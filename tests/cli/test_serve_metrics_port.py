"""`mfadesk serve --metrics-port … --log-format text`: /metrics on its own port only, and log
lines for people."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import free_port


@dataclass
class Served:
    api: str
    metrics: str
    log: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("serve-metrics")
    (root / "tmp").mkdir()
    port, metrics_port = free_port(), free_port()
    env = {
        **os.environ,
        "TMPDIR": str(root / "tmp"),
        "MFADESK_DATABASE_URL": f"sqlite:///{root / 'var' / 'mfadesk.db'}",
        "MFADESK_SECRET_KEY_FILE": str(root / "var" / "secret.key"),
    }
    env.pop("MFADESK_PUBLIC_URL", None)
    env.pop("MFADESK_REDIS_URL", None)
    log = root / "serve.log"
    command = [sys.executable, "-m", "mfadesk", "serve", "--port", str(port)]
    options = ["--metrics-port", str(metrics_port), "--log-format", "text"]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, *options], cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=output
        )
    api = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if httpx.get(f"{api}/health/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.1)
        yield Served(api, f"http://127.0.0.1:{metrics_port}/metrics", log)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert "Traceback" not in log.read_text()
    assert not list((root / "tmp").glob("mfadesk-metrics-*"))


def test_metrics_are_served_on_their_own_port_only(served: Served) -> None:
    def live_count(text: str) -> float:
        lines = [
            line
            for line in text.splitlines()
            if line.startswith("mfadesk_http_requests_total{") and 'route="/health/live"' in line
        ]
        return sum(float(line.rsplit(" ", 1)[1]) for line in lines)

    before = live_count(httpx.get(served.metrics).text)
    for _ in range(3):
        assert httpx.get(f"{served.api}/health/live").status_code == 200
    assert live_count(httpx.get(served.metrics).text) == before + 3
    assert httpx.get(f"{served.api}/metrics").status_code == 404


def test_text_logs_have_one_access_line_per_request(served: Served) -> None:
    reply = httpx.get(f"{served.api}/health/ready", headers={"X-Request-ID": "text-ready-1"})
    assert reply.headers["x-request-id"] == "text-ready-1"
    time.sleep(0.3)
    lines = [line for line in served.log.read_text().splitlines() if "id=text-ready-1" in line]
    assert len(lines) == 1
    assert "mfadesk.access GET /health/ready 200 " in lines[0]
    assert lines[0].endswith("id=text-ready-1 principal=- client=127.0.0.1")
