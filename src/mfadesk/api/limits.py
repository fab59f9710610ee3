"""Bounds on what one request may carry, checked where every request enters the app.

- The head: at most `MAX_HEADER_FIELDS` fields and `MAX_HEADER_BYTES` of names and values, else
  431. The HTTP server has parsed the head by then, but nothing of ours (a JWT, a client-key)
  has looked at it.
- The body: at most ``Settings.max_body_bytes``. A ``Content-Length`` above it is answered 413
  at once, before anything else is done or read; a body without one (chunked) is counted as it
  is read, and the read fails with `PayloadTooLarge` (413) as soon as it passes the limit.

Both refusals close the connection, so the rest of what the client sends is not read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.responses import Response
from starlette.types import Message, Receive, Scope

from mfadesk.api.responses import domain_error_response
from mfadesk.domain.errors import DomainError, HeaderFieldsTooLarge, PayloadTooLarge

MAX_HEADER_FIELDS = 100
MAX_HEADER_BYTES = 32 * 1024
_DIGITS_IN_ANY_LIMIT = 18  # a longer Content-Length is over any limit (and int() could balk)
ErrorReply = Callable[[DomainError], Response]
_HEAD_TOO_LARGE = HeaderFieldsTooLarge(MAX_HEADER_FIELDS, MAX_HEADER_BYTES)


class RequestLimits:
    __slots__ = ("_replies", "max_body_bytes")

    def __init__(
        self, max_body_bytes: int, replies_by_prefix: Sequence[tuple[str, ErrorReply]] = ()
    ) -> None:
        """`replies_by_prefix`: the error format of the paths under a prefix (SCIM's own);
        elsewhere the admin API's."""
        self.max_body_bytes = max_body_bytes
        self._replies = tuple(replies_by_prefix)

    def admit(self, scope: Scope, receive: Receive) -> tuple[Response | None, Receive]:
        """The refusal of an HTTP request over a bound, or None and the ``receive`` to read its
        body with (counting, when the body's length is not declared)."""
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if len(headers) > MAX_HEADER_FIELDS:
            return self._refusal(scope, _HEAD_TOO_LARGE), receive
        size, declared = 0, None
        for name, value in headers:
            size += len(name) + len(value)
            if name == b"content-length":
                declared = value
        if size > MAX_HEADER_BYTES:
            return self._refusal(scope, _HEAD_TOO_LARGE), receive
        if declared is None or not declared.isdigit():  # (a bad one: the server refused it)
            return None, self._counting(receive)
        if len(declared) > _DIGITS_IN_ANY_LIMIT:
            declared = declared.lstrip(b"0") or b"0"
        if len(declared) > _DIGITS_IN_ANY_LIMIT or int(declared) > self.max_body_bytes:
            return self._refusal(scope, PayloadTooLarge(self.max_body_bytes)), receive
        return None, receive

    def _refusal(self, scope: Scope, error: DomainError) -> Response:
        path: str = scope["path"]
        reply = next(
            (reply for prefix, reply in self._replies if path.startswith(prefix)),
            domain_error_response,
        )
        response = reply(error)
        response.headers["Connection"] = "close"  # the rest of the request is not read
        return response

    def _counting(self, receive: Receive) -> Receive:
        limit, seen = self.max_body_bytes, 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise PayloadTooLarge(limit)
            return message

        return counted
