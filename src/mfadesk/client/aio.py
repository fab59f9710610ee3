"""`AsyncAdminClient`: the same methods as `AdminClient`, as coroutines."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Self, TypeVar

import anyio
import httpx

from mfadesk.client.binding import AsyncRunner
from mfadesk.client.credentials import DEFAULT_TOKEN_LIFETIME, Clock, Credentials
from mfadesk.client.engine import DEFAULT_TIMEOUT, TOKEN_REQUEST, Engine, Retry, RetryHook
from mfadesk.client.methods import AdminMethods
from mfadesk.client.oauth import OAuthCredentials
from mfadesk.client.operation import Operation
from mfadesk.client.retry import RetryPolicy

T = TypeVar("T")


class AsyncAdminClient(AdminMethods, AsyncRunner):
    """`AdminClient`'s twin for coroutines: ``await client.lookup_user(email)``.

    Same options, with `transport` an `httpx.AsyncBaseTransport`. Run many calls at once with
    `asyncio.gather` or a task group; a 429 holds back every call of this client.
    """

    def __init__(
        self,
        credentials: Credentials | OAuthCredentials,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        token_lifetime: float = DEFAULT_TOKEN_LIFETIME,
        clock: Clock = time.time,
        transport: httpx.AsyncBaseTransport | None = None,
        on_retry: RetryHook | None = None,
        oauth_scopes: str | None = None,
    ) -> None:
        self._engine = Engine(
            credentials,
            retry=retry or RetryPolicy(),
            token_lifetime=token_lifetime,
            clock=clock,
            on_retry=on_retry,
            oauth_scopes=oauth_scopes,
        )
        self._http = httpx.AsyncClient(transport=transport, **self._engine.http_options(timeout))
        self._token_lock = anyio.Lock()

    async def _bearer(self) -> str:
        """The bearer token; an OAuth client fetches one first when it has none (one task
        fetches, the others wait for it)."""
        engine = self._engine
        bearer = engine.bearer()
        if bearer is not None:
            return bearer
        async with self._token_lock:
            bearer = engine.bearer()
            if bearer is not None:
                return bearer
            assert engine.oauth is not None
            requested_at = engine.clock()
            response = await self._http.send(engine.oauth.request(self._http))
            return engine.oauth.accept(response, requested_at)

    async def _call(self, operation: Operation[T]) -> T:
        engine, attempt = self._engine, 0
        while True:
            attempt += 1
            pause = engine.pause_remaining()
            if pause > 0:
                await anyio.sleep(pause)
            try:
                bearer = await self._bearer()
            except httpx.TransportError as error:
                retry = engine.after_error(TOKEN_REQUEST, attempt, error, error.request)
                await anyio.sleep(retry.delay)
                continue
            request = engine.build(self._http, operation, bearer)
            try:
                response = await self._http.send(request)
            except httpx.TransportError as error:
                outcome: T | Retry = engine.after_error(operation, attempt, error, request)
            else:
                outcome = engine.after_response(operation, attempt, response)
            if not isinstance(outcome, Retry):
                return outcome
            await anyio.sleep(outcome.delay)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
