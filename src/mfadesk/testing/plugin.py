"""The pytest plugin: ``mfadesk_server`` (see `mfadesk.testing.server.MfadeskServer`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mfadesk.testing.server import MfadeskServer


@pytest.fixture(scope="session")
def mfadesk_server_session(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[MfadeskServer]:
    """One server for the whole session (per xdist worker), stopped at its end."""
    began = time.monotonic()  # `started_in` counts loading the server's code too
    from mfadesk.testing.server import MfadeskServer

    server = MfadeskServer.start(tmp_path_factory.mktemp("mfadesk"), began=began)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mfadesk_server(mfadesk_server_session: MfadeskServer) -> MfadeskServer:
    """A real mfadesk, emptied before each test (one company, no users, admins or clients)."""
    mfadesk_server_session.reset()
    return mfadesk_server_session
