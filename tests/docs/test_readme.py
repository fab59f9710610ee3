"""The README's examples, run as written after its two set-up commands.

The demo is served as `make run` serves it (``scripts/demo-server`` on a free port), from a
directory that stands for the clone's root: its ``.venv`` is the clone's, and the virtual
environment is NOT on PATH, as in a fresh terminal. Every ```sh and ```python block after
"Set up" runs in order (Python pasted into ``.venv/bin/python -``), except "Installing the SDK
alone", which tests/packaging/test_base_install.py runs in a virtual environment of its own.
"""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import httpx

from tests.support.demo import ROOT, served_demo
from tests.support.doc_examples import examples, run_examples

SETUP = "Set up"
INSTALL = "Installing the SDK alone"


def test_setup_is_two_commands() -> None:
    assert examples("README.md", SETUP) == [("sh", "make run\n"), ("sh", "make test\n")]


def test_readme_examples_run_verbatim(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    blocks = examples("README.md", skip=(SETUP, INSTALL))
    assert [language for language, _ in blocks] == ["python", "python", "sh", "sh", "sh", "python"]
    with served_demo(tmp_path, venv_on_path=False) as demo:
        # the examples must not count on `mfadesk` being on PATH
        assert subprocess.run(["which", "mfadesk"], env=demo.env, check=False).returncode
        # `oauth-client add` names the public URL in the client's file: the shell of a user whose
        # `make run` serves the default port needs nothing, here it is the port the demo serves
        shell = {**demo.env, "MFADESK_PUBLIC_URL": f"http://127.0.0.1:{demo.port}"}
        output = run_examples(blocks, tmp_path, shell, str(tmp_path / ".venv/bin/python"))
        # what `make run` printed leads to the API's documentation, on the port it serves
        docs = f"http://127.0.0.1:{demo.port}/AdminInterface/restapi/docs"
        assert (
            f"API documentation (Swagger UI): {docs}\n"
            in (tmp_path / "demo-server.log").read_text()
        )
        assert "swagger-ui" in httpx.get(docs).text

    key = json.loads((tmp_path / "var/keys/super-admin.key").read_text())
    assert key["adminRestApiUrl"] == f"http://127.0.0.1:{demo.port}/AdminInterface/restapi/"

    # Calling the API: the raw JWT
    assert "200 {'userId': " in output and "'tokenStatus': 'Disabled'" in output
    # The SDK
    assert "Disabled\nEnabled\n404 NOT_FOUND User nobody@example.com not found" in output
    # mfadesk api
    assert '"tokenStatus": "Disabled"' in output
    assert "Bob's spare" in output and "Activation Pending" in output
    assert "carol@example.com" in output
    for codes in ("dave-code.csv", "site-codes.csv"):
        written = tmp_path / "var" / codes
        assert len(written.read_text().splitlines()) == 2
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
    # OAuth API clients
    client = json.loads((tmp_path / "var/keys/ci.jwk").read_text())
    assert stat.S_IMODE((tmp_path / "var/keys/ci.jwk").stat().st_mode) == 0o600
    assert client["issuer"] == f"http://127.0.0.1:{demo.port}/oauth"
    assert f'"tokenEndpoint": "http://127.0.0.1:{demo.port}/oauth/token"' in output
    assert output.count('"emailAddress": "alice@example.com"') == 1  # user show --json
    # Authenticating a user
    agent_key = tmp_path / "var" / "try-it.json"
    assert stat.S_IMODE(agent_key.stat().st_mode) == 0o600
    assert json.loads(agent_key.read_text())["name"] == "try-it"
    assert output.rstrip().endswith("SUCCESS")
