"""What the sync and the async client share: request building, response parsing, retries.

The two clients only move bytes (`httpx.Client` / `httpx.AsyncClient`) and sleep; every
decision is made here, once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from mfadesk import __version__
from mfadesk.client.credentials import DEFAULT_TOKEN_LIFETIME, Clock, Credentials, TokenSource
from mfadesk.client.errors import (
    AuthenticationFailed,
    UnexpectedResponse,
    error_from_response,
    transport_error,
)
from mfadesk.client.oauth import AccessTokens, OAuthCredentials
from mfadesk.client.operation import Operation, returns_nothing
from mfadesk.client.retry import RETRYABLE_GATEWAY_STATUSES, RetryPolicy, parse_retry_after

T = TypeVar("T")
log = logging.getLogger("mfadesk.client")

USER_AGENT = f"mfadesk-sdk/{__version__}"
DEFAULT_TIMEOUT = 30.0
_RETRYABLE_TRANSPORT = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)

# Told before each retry: why ("ConnectError", "HTTP 429") and the seconds until it.
RetryHook = Callable[[str, float], None]
# A token request of an OAuth client, as retries see it: repeating it is harmless.
TOKEN_REQUEST = Operation("POST", "(token endpoint)", returns_nothing, idempotent=True)


@dataclass
class ClientStats:
    """Counters of one client: HTTP requests sent, retries, 429 answers received."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0


@dataclass(frozen=True, slots=True)
class Retry:
    """Send the operation again after `delay` seconds (and after any client-wide pause)."""

    delay: float


class Engine:
    """`credentials`: an API key file's (a JWT minted per `token_lifetime`) or an OAuth
    client's (access tokens fetched by the client, `oauth_scopes` or all its scopes)."""

    def __init__(
        self,
        credentials: Credentials | OAuthCredentials,
        *,
        retry: RetryPolicy,
        token_lifetime: float = DEFAULT_TOKEN_LIFETIME,
        clock: Clock = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        on_retry: RetryHook | None = None,
        oauth_scopes: str | None = None,
    ) -> None:
        self.credentials = credentials
        self._on_retry = on_retry
        self.tokens: TokenSource | None = None
        self.oauth: AccessTokens | None = None
        if isinstance(credentials, OAuthCredentials):
            self.oauth = AccessTokens(credentials, scopes=oauth_scopes, clock=clock)
        else:
            self.tokens = TokenSource(credentials, lifetime=token_lifetime, clock=clock)
        self.clock = clock
        self.retry = retry
        self.stats = ClientStats()
        self._clock = clock
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._pause_until = 0.0

    def http_options(self, timeout: float | httpx.Timeout) -> dict[str, Any]:
        return {
            "base_url": self.credentials.admin_rest_api_url,
            "headers": {"Accept": "application/json", "User-Agent": USER_AGENT},
            "timeout": timeout,
        }

    def pause_remaining(self) -> float:
        """How long to hold a request back because the service said 429 a moment ago."""
        remaining = self._pause_until - self._monotonic()
        return self.retry.with_jitter(remaining) if remaining > 0 else 0.0

    def bearer(self) -> str | None:
        """The bearer token to send; None when an OAuth client must fetch one first."""
        if self.tokens is not None:
            return self.tokens.token()
        assert self.oauth is not None
        return self.oauth.current()

    def build(
        self, http: httpx.Client | httpx.AsyncClient, operation: Operation[Any], bearer: str
    ) -> httpx.Request:
        with self._lock:
            self.stats.requests += 1
        return http.build_request(
            operation.method,
            operation.path,
            json=operation.json(),
            params=operation.params,
            headers={"Authorization": f"Bearer {bearer}"},
        )

    def after_response(
        self, operation: Operation[T], attempt: int, response: httpx.Response
    ) -> T | Retry:
        status = response.status_code
        if 200 <= status < 300:
            return self._parse(operation, response)
        retry_after = parse_retry_after(response.headers.get("Retry-After"), self._clock())
        policy = self.retry
        wait = retry_after if retry_after is not None else policy.backoff_delay(attempt)
        can_retry = attempt < policy.max_attempts and wait <= policy.max_wait
        if status == 429:
            with self._lock:
                self.stats.rate_limited += 1
            if can_retry:
                self._pause(wait)
                return self._retry(operation, attempt, "HTTP 429", 0.0, pause=wait)
        elif status in RETRYABLE_GATEWAY_STATUSES and operation.idempotent and can_retry:
            return self._retry(operation, attempt, f"HTTP {status}", policy.with_jitter(wait))
        error = error_from_response(response, retry_after)
        if isinstance(error, AuthenticationFailed) and self.oauth is not None and attempt == 1:
            # The access token was refused (revoked, or the service forgot it): one more try
            # with a new one; a revoked client is then refused at the token endpoint.
            bearer = response.request.headers.get("Authorization", "").removeprefix("Bearer ")
            self.oauth.forget(bearer)
            return self._retry(operation, attempt, "access token refused", 0.0)
        raise error

    def after_error(
        self,
        operation: Operation[Any],
        attempt: int,
        error: httpx.TransportError,
        request: httpx.Request,
    ) -> Retry:
        mapped = transport_error(error, request)
        safe = not mapped.request_sent or operation.idempotent
        if safe and isinstance(error, _RETRYABLE_TRANSPORT) and attempt < self.retry.max_attempts:
            delay = (
                self.retry.backoff_delay(attempt)
                if mapped.request_sent
                else self.retry.connect_delay(attempt)
            )
            if delay is not None:
                return self._retry(operation, attempt, type(error).__name__, delay)
        raise mapped from error

    def _parse(self, operation: Operation[T], response: httpx.Response) -> T:
        try:
            return operation.parse(response.content)
        except (ValidationError, ValueError) as error:
            raise UnexpectedResponse(
                f"{operation.method} {operation.path}: the {response.status_code} body does not "
                f"match the contract: {error}",
                status=response.status_code,
                body=response.text[:2000],
            ) from None

    def _pause(self, seconds: float) -> None:
        with self._lock:
            self._pause_until = max(self._pause_until, self._monotonic() + seconds)

    def _retry(
        self, operation: Operation[Any], attempt: int, why: str, delay: float, pause: float = 0.0
    ) -> Retry:
        """`delay`: this call's wait; `pause` (a 429's): announced, waited out client-wide."""
        with self._lock:
            self.stats.retries += 1
        log.debug(
            "%s %s: %s, retrying (attempt %d of %d)",
            operation.method,
            operation.path,
            why,
            attempt + 1,
            self.retry.max_attempts,
        )
        if self._on_retry is not None:
            self._on_retry(why, delay or pause)
        return Retry(delay)
