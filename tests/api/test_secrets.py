"""An emergency tokencode is shown once and never written anywhere by the server."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.conftest import Stack


def test_code_is_absent_from_every_file_the_server_writes(
    stack: Stack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alice = stack.tenant.user("alice")
    with stack.client() as api:
        codes = [
            api.put(f"v1/users/{alice}/emergencyTokencode", json={"expirationDays": "2"}).json()[
                "emergencyTokencode"
            ]
            for _ in range(3)
        ]
        api.post("v1/users/lookup", json={"email": "alice@acme.example"})
    stack.server.__exit__()  # flush and close the database before reading its files
    stack.db.close()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    if stack.settings.database_url.startswith("sqlite"):
        assert any(p.name.startswith("mfadesk.db") for p in files)
    for code in codes:
        for path in files:
            data = path.read_bytes()
            assert code.encode() not in data, path
            assert code.encode("utf-16-le") not in data, path
        assert code not in caplog.text
    for event in stack.audit_events():
        for code in codes:
            assert code not in repr(event)
