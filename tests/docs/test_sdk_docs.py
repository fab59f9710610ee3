"""The examples of docs/sdk.md, run as written against the demo served as `make run` serves it,
with the virtual environment active (as the guide says): every ```python and ```sh block, in
order."""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.demo import served_demo
from tests.support.doc_examples import Example, examples
from tests.support.doc_examples import run_examples as run_blocks


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The served demo; the environment the examples run in (the venv's `mfadesk` on PATH)."""
    with served_demo(tmp_path) as served:
        yield {**served.env, "MFADESK_KEY_FILE": "var/keys/help-desk-admin.key"}


def run_examples(blocks: list[Example], cwd: Path, env: dict[str, str]) -> str:
    return run_blocks(blocks, cwd, env, sys.executable)


def test_sdk_guide_examples_run(demo: dict[str, str], tmp_path: Path) -> None:
    blocks = examples("docs/sdk.md")
    assert [language for language, _ in blocks].count("python") >= 6
    assert [language for language, _ in blocks].count("sh") >= 2
    output = run_examples(blocks, tmp_path, demo)
    assert "Disabled helpdesk@example.com" in output
    assert "404 404 NOT_FOUND User nobody@example.com not found" in output
    assert "409 CONFLICT: Hardware token 000100000002 is not assigned to user" in output
    assert "ClientStats(requests=1, retries=0, rate_limited=0)" in output
    assert "000100000001 Disabled" in output and "000100000002 Disabled" in output
    assert "Hardware token 1 is not assigned to a user" in output
    # the endpoints after the first seven
    assert "expiryValue=4 expiryUnit='hours' oneTimeUse=True False" in output
    assert (
        "Disabled None\nBob's spare Activation Pending Enabled\n['000100000002', '000100000003']"
    ) in output
    assert "False\nUnassigned\n" in output
    assert "409 CONFLICT: Hardware token 000100000002 is assigned to another user" in output
    assert "014010008031 dave@example.com False" in output
    assert "The Help Desk Admin role is not allowed to delete hardware tokens." in output
    assert "deleted 000100000004 Disabled\nTrue\nFalse\n" in output
    assert "6 2 3\n" in output and "True super-admin@example.com UNMARK_USER_DELETED" in output
    codes = tmp_path / "outage-codes.csv"
    assert stat.S_IMODE(codes.stat().st_mode) == 0o600
    assert len(codes.read_text().splitlines()) == 3  # header + Alice + Bob
    results = (tmp_path / "outage.results.csv").read_text().splitlines()
    assert len(results) == 5 and all(",ok," in line for line in results[1:])
    onboarding = (tmp_path / "onboarding.results.csv").read_text().splitlines()
    assert len(onboarding) == 4 and all(",ok," in line for line in onboarding[1:])
    assert len((tmp_path / "onboarding-codes.csv").read_text().splitlines()) == 2
    assert len((tmp_path / "bob-code.csv").read_text().splitlines()) == 3  # v1, then v2
