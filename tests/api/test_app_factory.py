"""The factory `mfadesk serve` workers start from."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from mfadesk.api.app import create_app_from_env


def test_the_served_app_freezes_what_start_up_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MFADESK_DATABASE_URL", f"sqlite:///{tmp_path / 'mfadesk.db'}")
    monkeypatch.setenv("MFADESK_SECRET_KEY_FILE", str(tmp_path / "secret.key"))
    monkeypatch.setenv("MFADESK_PUBLIC_URL", "http://127.0.0.1:9")
    gc.unfreeze()
    try:
        app = create_app_from_env()
        # The app itself is among what the cycle collector no longer scans.
        assert gc.get_freeze_count() > 1000
        assert all(tracked is not app for tracked in gc.get_objects())
        app.state.mfadesk.db.close()
    finally:
        gc.unfreeze()
