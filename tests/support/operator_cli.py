"""The operator commands (`mfadesk user add`, …) run as a shell runs them: real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import Operator, add_company
from mfadesk.services.startup import open_creating
from mfadesk.settings import Settings

PUBLIC_URL = "https://mfadesk.example.test"
COMPANY = "Acme"


class Cli:
    def __init__(self, tmp_path: Path, database_url: str) -> None:
        self.cwd = tmp_path
        self.env = {
            **os.environ,
            "MFADESK_DATABASE_URL": database_url,
            "MFADESK_PUBLIC_URL": PUBLIC_URL,
            "MFADESK_SECRET_KEY_FILE": str(tmp_path / "secret.key"),
        }

    def prepare(self, company: str | None = COMPANY) -> Cli:
        """What `mfadesk migrate` and `mfadesk company add` do, in this process (faster). The
        key file is made first: the test PostgreSQL database has its schema already."""
        settings = Settings.from_env(self.env)
        load_or_create_server_keys(settings.secret_key_file)
        opened = open_creating(settings)
        try:
            if company is not None:
                with opened.db.unit_of_work() as uow:
                    add_company(uow, Operator.start(ServiceEnv(keys=opened.keys)), company)
        finally:
            opened.db.close()
        return self

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "mfadesk", *args],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if ok:
            assert result.returncode == 0, result.stderr
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def fails(self, *args: str) -> str:
        result = self.run(*args, ok=False)
        assert result.returncode == 1, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("mfadesk: error: "), result.stderr
        return lines[0]
