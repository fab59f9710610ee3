"""Fixtures of the SDK tests: every test runs with the sync and the async client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.conftest import Stack
from tests.support.sdk import Recorder, key_file_contents, make_client


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def connect(flavour: str) -> AsyncIterator[Callable[..., Any]]:
    """connect(stack, admin="super", recorder=None, **options) -> a client (closed after)."""
    made: list[Any] = []

    def factory(
        stack: Stack, admin: str = "super", recorder: Recorder | None = None, **options: Any
    ) -> Any:
        client = make_client(flavour, key_file_contents(stack, admin), recorder, **options)
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()


@pytest.fixture
def api(stack: Stack, connect: Callable[..., Any]) -> Any:
    return connect(stack)
