"""`mfadesk serve --workers 2` with RADIUS on PostgreSQL: one New PIN exchange answered by both
workers in turn — the other one stopped (SIGSTOP) at each step, so the State must be continued
from the database by whichever worker reads the next datagram."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import (
    Operator,
    TokenSeed,
    add_company,
    add_hardware_token,
    add_user,
)
from mfadesk.services.radius_clients import add_radius_client
from mfadesk.services.startup import open_creating
from mfadesk.settings import Settings
from tests.otp.test_otp_stoken_oracle import StokenRunner, ctf_string, random_serial
from tests.support.databases import reset_postgres
from tests.support.live_server import free_port
from tests.support.radius import ACCEPT, CHALLENGE, SECRET, Reply, quoted, radclient
from tests.support.radius import radclient_path as require_radclient

USER = "erin@acme.example"


def _workers(parent: int) -> list[int]:
    """The worker processes uvicorn spawned (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [
        int(pid)
        for pid in children
        if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    ]


@contextmanager
def stopped(pid: int) -> Iterator[None]:
    """The worker does not read the socket meanwhile (resumed well within uvicorn's 5 s
    health check)."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_answer_one_exchange(
    tmp_path: Path,
    postgres_url: str,
    stoken: StokenRunner,
) -> None:
    require_radclient()
    reset_postgres(postgres_url)
    env = {
        **os.environ,
        "MFADESK_DATABASE_URL": postgres_url,
        "MFADESK_SECRET_KEY_FILE": str(tmp_path / "secret.key"),
    }
    settings = Settings.from_env(env)
    load_or_create_server_keys(settings.secret_key_file)
    opened = open_creating(settings)
    seed, serial = secrets.token_bytes(16), random_serial()
    try:
        with opened.db.unit_of_work() as uow:
            op = Operator.start(ServiceEnv(keys=opened.keys))
            company = add_company(uow, op, "Acme")  # PINs required by default
            add_user(uow, op, company, USER)
            add_hardware_token(uow, op, company, serial, USER, TokenSeed(seed))
            add_radius_client(uow, op, company, "vpn", "127.0.0.1", SECRET.encode())
    finally:
        opened.db.close()

    def code(intervals: int = 0) -> str:
        at = int(time.time()) + 60 * intervals
        token = f"--token={ctf_string(seed, serial, 6, 60)}"
        return stoken("tokencode", token, f"--use-time={at}", "--force").strip()

    radius_port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mfadesk",
            "serve",
            "--port",
            str(free_port()),
            "--workers",
            "2",
            "--radius-host",
            "127.0.0.1",
        ],
        cwd=tmp_path,
        env={**env, "MFADESK_RADIUS_PORT": str(radius_port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    try:
        assert server.stdout is not None
        started = 0
        while started < 2:
            line = server.stdout.readline()
            assert line, "mfadesk serve stopped"
            output += line
            started += "Application startup complete" in line
        first, second = _workers(server.pid)

        def login(password: str, state: str | None = None) -> Reply:
            attributes = {"User-Name": quoted(USER), "User-Password": quoted(password)}
            if state is not None:
                attributes["State"] = state
            return radclient(radius_port, attributes, timeout=2)

        with stopped(second):
            asked = login(code())
        assert asked.code == CHALLENGE, asked.output
        with stopped(first):
            taken = login("2468", asked.state)
        assert taken.code == CHALLENGE, taken.output
        assert taken.message is not None and taken.message.startswith("PIN accepted.")
        with stopped(second):
            done = login("2468" + code(1), taken.state)
        assert done.code == ACCEPT, done.output
    finally:
        server.send_signal(signal.SIGINT)
        output += server.communicate(timeout=30)[0]
    assert "RADIUS (Access-Request, PAP) on 127.0.0.1:" in output
    assert "Traceback" not in output, output
