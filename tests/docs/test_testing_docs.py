"""The example of docs/testing.md, run as a team would run it: its files written as named
(first line `# <file name>`) into a project of their own, then pytest there, with the plugin
found through its entry point (nothing of ours on the path but the installed mfadesk)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.doc_examples import examples


def test_the_testing_guide_example_passes(tmp_path: Path) -> None:
    blocks = examples("docs/testing.md", "Example: your own client under test")
    names = []
    for language, code in blocks:
        assert language == "python"
        name = code.splitlines()[0].removeprefix("# ").strip()
        (tmp_path / name).write_text(code)
        names.append(name)
    assert names == ["offboarding.py", "test_offboarding.py"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MFADESK_", "PYTEST_"))}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "-W", "ignore::DeprecationWarning"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
