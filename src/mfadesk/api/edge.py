"""What every HTTP request passes first, whatever it asks for: the client's address (behind a
trusted proxy, from ``X-Forwarded-For``), its request id, and on the way out its metrics and its
access log line.

The address is resolved here and only here: it replaces the ASGI scope's ``client``, so every
edge that reads ``request.client`` (admin API, /mfa, OAuth, and whatever comes later) gets the
same answer for its rate limits and its audit records.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mfadesk.observability import metrics
from mfadesk.observability.events import ACCESS_LOGGER, RequestContext, current_request

REQUEST_ID_HEADER = b"x-request-id"
# A request id from outside is kept only if it is short and plain (it goes into every log line).
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:@/+=-]{1,128}")
_access = logging.getLogger(ACCESS_LOGGER)

Network = IPv4Network | IPv6Network


def _address(text: str) -> IPv4Address | IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        return ip_address(text)
    except ValueError:
        return None


class ClientAddresses:
    """Who sent a request: the peer, unless the peer is a trusted proxy; then the rightmost
    address in ``X-Forwarded-For`` that is not a trusted proxy (each proxy appends the address
    it received the request from, so everything left of an untrusted hop may be forged)."""

    def __init__(self, trusted: Sequence[Network]) -> None:
        self._trusted = tuple(trusted)

    def _is_trusted(self, address: IPv4Address | IPv6Address) -> bool:
        return any(address in network for network in self._trusted)

    def resolve(self, peer: str | None, forwarded_for: Sequence[str]) -> str | None:
        if not self._trusted or peer is None:
            return peer
        peer_address = _address(peer)
        if peer_address is None or not self._is_trusted(peer_address):
            return peer
        client = peer_address
        hops = [hop for header in forwarded_for for hop in header.split(",")]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:  # garbage: believe nothing left of it
                break
            client = address
            if not self._is_trusted(address):
                break
        return str(client)


def _request_id(headers: Sequence[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == REQUEST_ID_HEADER and _REQUEST_ID.fullmatch(value):
            return value.decode("ascii")
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else metrics.UNMATCHED_ROUTE


class Edge:
    """Wraps the app: resolves the client, names the request, measures and logs its reply."""

    def __init__(self, app: ASGIApp, trusted_proxies: Sequence[Network]) -> None:
        self._app = app
        self._clients = ClientAddresses(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = scope["headers"]
        peer = scope.get("client")
        forwarded = [
            value.decode("latin-1") for name, value in headers if name == b"x-forwarded-for"
        ]
        client = self._clients.resolve(peer[0] if peer else None, forwarded)
        if client is not None and (peer is None or client != peer[0]):
            scope["client"] = (client, 0)
        request_id = _request_id(headers)
        context = RequestContext(request_id, client)
        token = current_request.set(context)
        status = 500
        echoed = request_id.encode("ascii")

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (REQUEST_ID_HEADER, echoed)]
            await send(message)

        try:
            await self._app(scope, receive, send_with_id)
        finally:
            current_request.reset(token)
            seconds = time.perf_counter() - started
            route = route_template(scope)
            metrics.http_request(route, scope["method"], status, seconds)
            if _access.isEnabledFor(logging.INFO):
                _access_line(scope["method"], route, status, seconds, context)


def _access_line(
    method: str, route: str, status: int, seconds: float, context: RequestContext
) -> None:
    fields = {
        "method": method,
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "request_id": context.request_id,
        "principal": context.principal,
        "client_address": context.client_address,
    }
    _access.info(
        "%s %s %s %.1fms id=%s principal=%s client=%s",
        method,
        route,
        status,
        seconds * 1000,
        context.request_id,
        context.principal or "-",
        context.client_address or "-",
        extra={"event": "access", "fields": fields},
    )
