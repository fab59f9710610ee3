"""`AdminClient`: the blocking client. Safe to share between threads."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Self, TypeVar

import httpx

from mfadesk.client.binding import SyncRunner
from mfadesk.client.credentials import DEFAULT_TOKEN_LIFETIME, Clock, Credentials
from mfadesk.client.engine import DEFAULT_TIMEOUT, Engine, Retry, RetryHook
from mfadesk.client.methods import AdminMethods
from mfadesk.client.operation import Operation
from mfadesk.client.retry import RetryPolicy

T = TypeVar("T")


class AdminClient(AdminMethods, SyncRunner):
    """The Cloud Administration API of mfadesk or of the real service, from a key file.

    ``AdminClient.from_key_file("help-desk-admin.key")``; then one method per endpoint.
    Options: `timeout` (seconds or `httpx.Timeout`), `retry` (`RetryPolicy`),
    `token_lifetime` (seconds, at most 3600), `clock` (epoch seconds, for tests),
    `transport` (an `httpx.BaseTransport`, for tests and proxies) and `on_retry` (called
    with the reason and the wait before each retry, e.g. to tell a user).
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        token_lifetime: float = DEFAULT_TOKEN_LIFETIME,
        clock: Clock = time.time,
        transport: httpx.BaseTransport | None = None,
        on_retry: RetryHook | None = None,
    ) -> None:
        self._engine = Engine(
            credentials,
            retry=retry or RetryPolicy(),
            token_lifetime=token_lifetime,
            clock=clock,
            on_retry=on_retry,
        )
        self._http = httpx.Client(transport=transport, **self._engine.http_options(timeout))

    def _call(self, operation: Operation[T]) -> T:
        engine, attempt = self._engine, 0
        while True:
            attempt += 1
            pause = engine.pause_remaining()
            if pause > 0:
                time.sleep(pause)
            request = engine.build(self._http, operation)
            try:
                response = self._http.send(request)
            except httpx.TransportError as error:
                outcome: T | Retry = engine.after_error(operation, attempt, error, request)
            else:
                outcome = engine.after_response(operation, attempt, response)
            if not isinstance(outcome, Retry):
                return outcome
            time.sleep(outcome.delay)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
