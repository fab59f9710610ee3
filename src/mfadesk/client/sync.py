"""`AdminClient`: the blocking client. Safe to share between threads."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Self, TypeVar

import httpx

from mfadesk.client.binding import SyncRunner
from mfadesk.client.credentials import DEFAULT_TOKEN_LIFETIME, Clock, Credentials
from mfadesk.client.engine import DEFAULT_TIMEOUT, TOKEN_REQUEST, Engine, Retry, RetryHook
from mfadesk.client.methods import AdminMethods
from mfadesk.client.oauth import OAuthCredentials
from mfadesk.client.operation import Operation
from mfadesk.client.retry import RetryPolicy

T = TypeVar("T")


class AdminClient(AdminMethods, SyncRunner):
    """The Cloud Administration API of mfadesk or of the real service, from a key file or
    as an OAuth API client.

    ``AdminClient.from_key_file("help-desk-admin.key")`` or
    ``AdminClient.from_oauth_client("ci.jwk")``; then one method per endpoint.
    Options: `timeout` (seconds or `httpx.Timeout`), `retry` (`RetryPolicy`),
    `token_lifetime` (seconds, at most 3600), `clock` (epoch seconds, for tests),
    `transport` (an `httpx.BaseTransport`, for tests and proxies), `on_retry` (called
    with the reason and the wait before each retry, e.g. to tell a user) and, for an OAuth
    client, `oauth_scopes` (space-separated; default: all the client's scopes).
    """

    def __init__(
        self,
        credentials: Credentials | OAuthCredentials,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        token_lifetime: float = DEFAULT_TOKEN_LIFETIME,
        clock: Clock = time.time,
        transport: httpx.BaseTransport | None = None,
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
        self._http = httpx.Client(transport=transport, **self._engine.http_options(timeout))
        self._token_lock = threading.Lock()

    def _bearer(self) -> str:
        """The bearer token; an OAuth client fetches one first when it has none (one thread
        fetches, the others wait for it)."""
        engine = self._engine
        bearer = engine.bearer()
        if bearer is not None:
            return bearer
        with self._token_lock:
            bearer = engine.bearer()
            if bearer is not None:
                return bearer
            assert engine.oauth is not None
            requested_at = engine.clock()
            response = self._http.send(engine.oauth.request(self._http))
            return engine.oauth.accept(response, requested_at)

    def _call(self, operation: Operation[T]) -> T:
        engine, attempt = self._engine, 0
        while True:
            attempt += 1
            pause = engine.pause_remaining()
            if pause > 0:
                time.sleep(pause)
            try:
                bearer = self._bearer()
            except httpx.TransportError as error:
                retry = engine.after_error(TOKEN_REQUEST, attempt, error, error.request)
                time.sleep(retry.delay)
                continue
            request = engine.build(self._http, operation, bearer)
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
