"""The SDK pointed at a test stack: key files, both client flavours, recording transports."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from mfadesk.client import AdminClient, AsyncAdminClient
from mfadesk.services.provisioning import Operator, add_hardware_token, add_user, ensure_company
from tests.conftest import Stack


def key_file_contents(stack: Stack, admin: str = "super") -> dict[str, str]:
    key = stack.admin(admin)
    return {
        "customerName": "Acme",
        "accessID": key.access_id,
        "accessKey": key.private_pem,
        "adminRestApiUrl": stack.audience,
        "description": f"test key of {key.email}",
    }


def write_key_file(stack: Stack, directory: Path, admin: str = "super") -> Path:
    path = directory / f"{admin}.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(key_file_contents(stack, admin), handle)
    return path


class Recorder:
    """What went over the wire: requests sent, statuses received; can lose responses."""

    def __init__(self, lose_responses: int = 0) -> None:
        self.requests: list[httpx.Request] = []
        self.statuses: list[int] = []
        self.lose_responses = lose_responses

    def lost(self) -> bool:
        if self.lose_responses > 0:
            self.lose_responses -= 1
            return True
        return False


class RecordingTransport(httpx.BaseTransport):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.recorder.requests.append(request)
        response = self._inner.handle_request(request)
        response.read()
        if self.recorder.lost():  # the service acted, the answer never arrives
            response.close()
            raise httpx.ReadError("connection lost before the response", request=request)
        self.recorder.statuses.append(response.status_code)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncRecordingTransport(httpx.AsyncBaseTransport):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.recorder.requests.append(request)
        response = await self._inner.handle_async_request(request)
        await response.aread()
        if self.recorder.lost():
            await response.aclose()
            raise httpx.ReadError("connection lost before the response", request=request)
        self.recorder.statuses.append(response.status_code)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class SyncAsAsync:
    """`AdminClient` behind `AsyncAdminClient`'s interface, so one async test covers both.

    The blocking call runs on the event loop's thread; the server runs in its own thread.
    A listing (``iter_…``) becomes an async iterator over the sync iterator, fetched page by
    page as the test consumes it.
    """

    def __init__(self, client: AdminClient) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client, name)
        if name.startswith("_") or not callable(attribute):
            return attribute
        if name.startswith("iter_"):

            def walk(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
                iterator = attribute(*args, **kwargs)  # built (and checked) at the call

                async def each() -> AsyncIterator[Any]:
                    for item in iterator:
                        yield item

                return each()

            return walk

        async def call(*args: Any, **kwargs: Any) -> Any:
            return attribute(*args, **kwargs)

        return call

    async def aclose(self) -> None:
        self.client.close()


def make_client(
    flavour: str, contents: dict[str, str], recorder: Recorder | None = None, **options: Any
) -> Any:
    """An `AsyncAdminClient`, or an `AdminClient` wrapped in `SyncAsAsync`."""
    if flavour == "async":
        if recorder is not None:
            options["transport"] = AsyncRecordingTransport(recorder)
        return AsyncAdminClient.from_dict(contents, **options)
    if recorder is not None:
        options["transport"] = RecordingTransport(recorder)
    return SyncAsAsync(AdminClient.from_dict(contents, **options))


ClientFactory = Callable[..., Any]


@dataclass(frozen=True)
class FleetUser:
    email: str
    id: str
    serial: str


def add_users_with_tokens(stack: Stack, count: int, prefix: str = "user") -> list[FleetUser]:
    """`count` more users of the stack's company, each with an assigned, Enabled SID700 token."""
    op = Operator.start(stack.env)
    made: list[FleetUser] = []
    with stack.db.unit_of_work() as uow:
        company = ensure_company(uow, op, "Acme")
        for index in range(count):
            email = f"{prefix}{index:05d}@acme.example"
            user = add_user(uow, op, company, email, "Bulk", f"User {index}", False)
            serial = f"9{index:011d}"
            add_hardware_token(uow, op, company, serial, email)
            made.append(FleetUser(email, user.id, serial))
    return made


async def collect(iterator: AsyncIterator[Any]) -> list[Any]:
    """Everything a listing (``api.iter_…(…)``) hands out."""
    return [item async for item in iterator]


def assert_api_error(error: Any, status: int, reason: str, description: str) -> None:
    """An `ApiError` carrying the service's status, code and description, as sent."""
    assert error.status == status
    assert error.code == f"{status} {reason}"
    assert error.description == description
    assert str(error) == f"{status} {reason}: {description}"
