"""One real slapd for every LDAP test of the session (each test works in its own unit)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.slapd import Slapd


@pytest.fixture(scope="session")
def slapd() -> Iterator[Slapd]:
    server = Slapd()
    try:
        server.start()
        yield server
    finally:
        server.remove()
