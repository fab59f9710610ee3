"""`mfadesk api …` run as a shell runs it: a real process, a key file, the server on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


class RemoteCli:
    def __init__(self, cwd: Path, key_file: Path | None) -> None:
        self.cwd = cwd
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MFADESK_")}
        self.env.pop("COLUMNS", None)  # tables as a script reading a pipe gets them
        if key_file is not None:
            self.env["MFADESK_KEY_FILE"] = str(key_file)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "mfadesk", "api", *args]

    def run(self, *args: str, status: int | None = 0) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            self.command(*args),
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if status is not None:
            assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
        return result

    def json(self, *args: str, status: int = 0) -> Any:
        return json.loads(self.run(*args, "--json", status=status).stdout)

    def error(self, *args: str, status: int) -> str:
        """The one line a failing command prints on stderr."""
        result = self.run(*args, status=status)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("mfadesk: error: "), result.stderr
        assert result.stdout == ""
        return lines[0].removeprefix("mfadesk: error: ")

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
