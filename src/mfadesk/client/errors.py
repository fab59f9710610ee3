"""What the SDK raises, built from the contract's error bodies.

::

    MfadeskClientError            anything the SDK raises on purpose
    ├── KeyFileError              the key file cannot be read or is not a key file
    ├── TransportError            no HTTP answer, after the retries that were safe
    │   ├── ConnectError          never reached the service (nothing was applied)
    │   └── Timeout               no answer in time
    ├── ApiError                  the service answered with an error status
    │   ├── BadRequest            400
    │   ├── Forbidden             403 application body: the role may not do this
    │   │   └── AuthenticationFailed   403 filter body: the JWT / key was refused
    │   ├── NotFound              404
    │   ├── MethodNotAllowed      405  not for this object (a SCIM source's user)
    │   ├── Conflict              409
    │   ├── RateLimited           429 still limited after the retries (`retry_after`)
    │   └── ServerError           5xx
    └── UnexpectedResponse        a success whose body is not the contract's shape

Every `ApiError` carries `status`, `code` (``"404 NOT_FOUND"``) and `description`
(``"User <id> not found"``) as the service sent them; a 403 in the security filter's format
becomes `AuthenticationFailed` with the filter's `message` as its description. A
`TransportError` says with `request_sent` whether the service may have acted on the request.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import httpx


class MfadeskClientError(Exception):
    """Base of every error the SDK raises on purpose."""


class KeyFileError(MfadeskClientError):
    """The key file is missing, unreadable or not an administrator API key file."""


class TransportError(MfadeskClientError):
    """No HTTP answer. `request_sent` is False only when the service cannot have acted."""

    def __init__(self, message: str, *, method: str, url: str, request_sent: bool) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.request_sent = request_sent


class ConnectError(TransportError):
    """The connection could not be made: the request was not sent."""


class Timeout(TransportError):
    """The service did not answer in time (or a connection could not be had in time)."""


class ApiError(MfadeskClientError):
    """The service answered with an error status and (usually) the contract's error body."""

    def __init__(
        self,
        status: int,
        code: str,
        description: str,
        *,
        method: str = "",
        url: str = "",
        body: Any = None,
    ) -> None:
        super().__init__(f"{code}: {description}")
        self.status = status
        self.code = code
        self.description = description
        self.method = method
        self.url = url
        self.body = body


class BadRequest(ApiError):
    """400: a syntax or value error, or a state the request cannot apply to."""


class Forbidden(ApiError):
    """403 with the application body: this administrator's role may not do this."""


class AuthenticationFailed(Forbidden):
    """403 in the security filter's format: the JWT was refused (unknown, revoked or expired
    key, wrong audience, clock skew beyond a minute)."""


class NotFound(ApiError):
    """404: the user, token, device or emergency tokencode does not exist."""


class MethodNotAllowed(ApiError):
    """405: the call does not apply to this object (e.g. deleting a SCIM source's user)."""


class Conflict(ApiError):
    """409: the object's state does not allow this (e.g. token not assigned to this user)."""


class RateLimited(ApiError):
    """429 and the retries gave up; `retry_after` is the service's advice in seconds."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the service failed; nothing was changed by a failed mfadesk request."""


class UnexpectedResponse(MfadeskClientError):
    """A success status whose body does not match the contract's model."""

    def __init__(self, message: str, *, status: int, body: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    429: RateLimited,
}


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).name
    except ValueError:
        return "UNKNOWN"


def _is_filter_body(body: Any) -> bool:
    return isinstance(body, dict) and {"status", "error", "message"} <= body.keys()


def error_from_response(response: httpx.Response, retry_after: float | None = None) -> ApiError:
    """The exception for an error response, from either of the contract's two body formats."""
    status = response.status_code
    try:
        body: Any = json.loads(response.content) if response.content else None
    except ValueError:
        body = None
    code, description = f"{status} {_reason(status)}", response.reason_phrase
    kind: type[ApiError] = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        code = body["code"]
        description = str(body.get("description", description))
    elif _is_filter_body(body):
        description = str(body["message"])
        if status == 403:
            kind = AuthenticationFailed
    request = response.request
    context: dict[str, Any] = {"method": request.method, "url": str(request.url), "body": body}
    if kind is RateLimited:
        return RateLimited(status, code, description, retry_after=retry_after, **context)
    return kind(status, code, description, **context)


_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)


def transport_error(error: httpx.TransportError, request: httpx.Request) -> TransportError:
    """Our error for httpx's, saying whether the request may have reached the service."""
    kind: type[TransportError] = TransportError
    if isinstance(error, httpx.ConnectError):
        kind = ConnectError
    elif isinstance(error, httpx.TimeoutException):
        kind = Timeout
    detail = str(error) or "no details"
    message = f"{request.method} {request.url}: {type(error).__name__}: {detail}"
    return kind(
        message,
        method=request.method,
        url=str(request.url),
        request_sent=not isinstance(error, _NOT_SENT),
    )
