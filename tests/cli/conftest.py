"""The `cli` fixture of the operator command tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.operator_cli import Cli


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    """The command line on a migrated database with one company."""
    return Cli(tmp_path, database_url).prepare()
