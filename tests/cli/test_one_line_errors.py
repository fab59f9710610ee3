"""Every command line error is one line (issue 9, point 15): an unreachable database, a busy
port, a missing folder for a key file, a service that is down."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from mfadesk.cli.key_files import generate_key_pair
from tests.cli.test_authn_commands import rows
from tests.support.live_server import free_port
from tests.support.operator_cli import Cli
from tests.support.remote_cli import RemoteCli


def test_an_unreachable_database_is_one_line_without_password(tmp_path: Path) -> None:
    port = free_port()  # nobody listens here
    cli = Cli(tmp_path, f"postgresql+psycopg://mfadesk:s3cret@127.0.0.1:{port}/mfadesk")
    shown = f"postgresql+psycopg://mfadesk:***@127.0.0.1:{port}/mfadesk"
    for args in [("user", "add", "--email", "eve@example.com"), ("migrate",)]:
        line = cli.fails(*args)
        assert line.startswith(f"mfadesk: error: cannot open the database at {shown}: "), line
        assert "Connection refused" in line and "s3cret" not in line
        assert "sqlalche.me" not in line and "psycopg.OperationalError" not in line


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_on_a_busy_port_is_one_line(tmp_path: Path, workers: str) -> None:
    cli = Cli(tmp_path, f"sqlite:///{tmp_path / 'mfadesk.db'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli.run("serve", "--port", str(port), "--workers", workers, ok=False)
    assert (result.returncode, result.stdout) == (1, "")  # never said it was serving
    assert (
        result.stderr
        == f"mfadesk: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )


def test_a_key_file_in_a_missing_folder_is_one_line_and_no_folder(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "ops.key"
    line = cli.fails(
        "admin", "add", "--email", "ops@example.com", "--role", "super-admin",
        "--key-file", str(target),
    )  # fmt: skip
    assert (
        line == f"mfadesk: error: cannot write {target}: directory {target.parent} does not exist"
    )
    assert not (tmp_path / "no").exists()
    assert rows(cli, "SELECT email FROM admins") == []


def test_a_service_that_is_down_is_retried_briefly_and_said_so(tmp_path: Path) -> None:
    key = tmp_path / "ops.key"
    key.write_text(
        json.dumps(
            {
                "customerName": "Acme",
                "accessID": "5e1a4b4e-2cf1-4b1c-8d0a-5f0e6c1f2a3b",
                "accessKey": generate_key_pair().private_pem,
                "adminRestApiUrl": f"http://127.0.0.1:{free_port()}/AdminInterface/restapi/",
                "description": "",
            }
        )
    )
    remote = RemoteCli(tmp_path, key)
    started = time.monotonic()
    result = remote.run("user", "show", "eve@example.com", status=4)
    # The back-off alone used to wait 0.5 + 1 + 2 + 4 + 8 s (17 s with jitter) in silence.
    assert time.monotonic() - started < 10
    said = result.stderr.splitlines()
    assert said[0] == "mfadesk: no answer (ConnectError), retrying…"
    assert len(said) == 2 and said[1].startswith("mfadesk: error: POST ")
    as_json = remote.run("user", "show", "eve@example.com", "--json", status=4).stderr
    assert json.loads(as_json)["error"]["requestSent"] is False  # nothing but the JSON
