"""The factory `mfadesk serve` workers start from."""

from __future__ import annotations

import base64
import gc
import secrets
from pathlib import Path

import pytest

from mfadesk.api.app import create_app_from_env
from mfadesk.services.startup import StartupError, open_creating
from mfadesk.settings import Settings


def test_the_served_app_freezes_what_start_up_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MFADESK_DATABASE_URL", f"sqlite:///{tmp_path / 'mfadesk.db'}")
    monkeypatch.setenv("MFADESK_SECRET_KEY_FILE", str(tmp_path / "secret.key"))
    monkeypatch.setenv("MFADESK_PUBLIC_URL", "http://127.0.0.1:9")
    open_creating(Settings.from_env()).db.close()  # as `mfadesk serve` does before its workers
    gc.unfreeze()
    try:
        app = create_app_from_env()
        # The app itself is among what the cycle collector no longer scans.
        assert gc.get_freeze_count() > 1000
        assert all(tracked is not app for tracked in gc.get_objects())
        app.state.mfadesk.db.close()
    finally:
        gc.unfreeze()


def test_a_worker_refuses_a_database_set_up_with_another_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MFADESK_DATABASE_URL", f"sqlite:///{tmp_path / 'mfadesk.db'}")
    monkeypatch.setenv("MFADESK_SECRET_KEY_FILE", str(tmp_path / "secret.key"))
    open_creating(Settings.from_env()).db.close()
    other = tmp_path / "other.key"
    other.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    monkeypatch.setenv("MFADESK_SECRET_KEY_FILE", str(other))
    with pytest.raises(StartupError, match="was set up with another master key than"):
        create_app_from_env()
