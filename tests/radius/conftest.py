"""RADIUS tests run on SQLite (one test of State across workers runs on PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.conftest import StackFactory
from tests.otp.conftest import stoken  # noqa: F401  (fixture)
from tests.support.radius import RadiusStack, start_radius


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def radius(make_stack: StackFactory) -> RadiusStack:
    return start_radius(make_stack)
