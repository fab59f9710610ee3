"""The SDK and `mfadesk api` install and run without the server's dependencies.

A fresh virtual environment gets what the README's "Installing the SDK alone" says (run
verbatim, from a copy of the project's files), through pip's configured index and its cache.
Then `mfadesk api` administers the served demo, `mfadesk.client` imports, none of the server's
libraries is there, and the server's commands say in one line what to install.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.demo import served_demo, user_environment
from tests.support.doc_examples import ROOT, examples

SERVER_ONLY = ("sqlalchemy", "alembic", "starlette", "uvicorn", "psycopg", "redis", "securid")


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.slow
def test_sdk_and_remote_commands_need_only_the_base_install(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, clone / name)
    shutil.copytree(
        ROOT / "src", clone / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    venv = tmp_path / "sdk-env"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    env = user_environment(venv_on_path=False)
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", VIRTUAL_ENV=str(venv))

    (language, install), *_ = examples("README.md", "Installing the SDK alone")
    assert language == "sh" and "[server]" not in install
    installed = run(["bash", "-euo", "pipefail", "-c", install], clone, env)
    assert installed.returncode == 0, installed.stderr

    probe = (
        "import importlib.util, json, sys, mfadesk.client\n"
        "print(json.dumps([m for m in sys.argv[1:] if importlib.util.find_spec(m)]))"
    )
    present = run([str(venv / "bin" / "python"), "-c", probe, *SERVER_ONLY], tmp_path, env)
    assert present.returncode == 0, present.stderr
    assert json.loads(present.stdout) == []  # none of the server's libraries came along

    assert run(["mfadesk", "api", "--help"], tmp_path, env).returncode == 0
    with served_demo(tmp_path):
        shown = run(
            ["mfadesk", "api", "--key-file", "var/keys/help-desk-admin.key", "--json",
             "user", "show", "alice@example.com"],
            tmp_path,
            env,
        )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["emailAddress"] == "alice@example.com"

    for command in (["serve"], ["demo"], ["audit", "verify"], ["serve", "--help"]):
        refused = run(["mfadesk", *command], tmp_path, env)
        assert refused.returncode == 1, refused
        lines = refused.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"mfadesk: error: 'mfadesk {command[0]}'")
        assert lines[0].endswith("install mfadesk[server]")
    listing = run(["mfadesk", "--help"], tmp_path, env)
    assert listing.returncode == 0
    assert re.search(r"^  serve +\(install mfadesk\[server\] to use it\)$", listing.stdout, re.M)
