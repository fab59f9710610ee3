"""The UDP side: an asyncio datagram protocol in each worker process, reading the socket
`mfadesk serve` bound before the workers started (each datagram goes to exactly one of them).

Each datagram, in order: its header, its source (a configured client, else dropped), the packet
(`packets.parse_request`: the Message-Authenticator, the User-Password), the client's token
bucket (throttled: the uniform Access-Reject, nothing looked up), then one unit of work that
claims the request (`services.radius_replies.answer_once`: a retransmit gets the stored reply),
runs the use case and stores the reply. Nothing is ever logged of a password.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from mfadesk.api.rate_limit import Buckets
from mfadesk.domain.errors import ClientNotAuthenticated
from mfadesk.domain.radius_clients import source_address
from mfadesk.radius.clients import ClientDirectory
from mfadesk.radius.exchange import answer, rejected
from mfadesk.radius.packets import (
    AccessRequestPacket,
    Header,
    Malformed,
    parse_request,
    read_header,
)
from mfadesk.services.authn_attempts import purge_expired_attempts
from mfadesk.services.authn_call import AuthnCall, AuthnConfig
from mfadesk.services.radius_replies import answer_once, purge_radius_replies
from mfadesk.services.user_events import number_user_events
from mfadesk.store.database import Database

HOUSEKEEPING_EVERY = 256  # requests of a worker between two housekeeping runs
log = logging.getLogger("mfadesk.radius")


def request_key(host: str, port: int, header: Header) -> str:
    """What makes a request a retransmit of another: the client's address and port, the
    Identifier and the Request Authenticator (RFC 5080 §2.2.2)."""
    seen = f"{host}|{port}|{header.identifier}|".encode() + header.authenticator
    return hashlib.sha256(seen).hexdigest()


def _where(error: BaseException) -> str:
    """The type and place of an unexpected error — not its message, which could quote a
    value from the packet."""
    frames = traceback.extract_tb(error.__traceback__)
    place = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}{place}"


@dataclass(slots=True)
class RadiusServer:
    """Built once per worker."""

    db: Database
    config: AuthnConfig
    clients: ClientDirectory
    buckets: Buckets  # one per RADIUS client
    _requests: itertools.count[int] = field(default_factory=itertools.count)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _stopping: bool = False

    def received(
        self, data: bytes, addr: tuple[Any, ...], transport: asyncio.DatagramTransport
    ) -> None:
        if self._stopping:  # shutting down: the client retransmits to another server
            return
        task = asyncio.get_running_loop().create_task(self._serve(data, addr, transport))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float | None = None) -> None:
        """Take no new datagram; let the exchanges in progress finish and send their replies,
        for up to `timeout` seconds (then they are cancelled)."""
        self._stopping = True
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in late:
            task.cancel()
        if late:
            log.error("RADIUS: %d exchange(s) cancelled at shutdown after %ss", len(late), timeout)
            await asyncio.gather(*late, return_exceptions=True)

    async def _serve(
        self, data: bytes, addr: tuple[Any, ...], transport: asyncio.DatagramTransport
    ) -> None:
        host, port = str(addr[0]), int(addr[1])
        try:
            reply = await self.handle(data, host, port)
        except Exception as error:
            log.error("RADIUS request from %s:%d failed: %s", host, port, _where(error))
            return
        if reply is not None and not transport.is_closing():
            transport.sendto(reply, addr)

    async def handle(self, data: bytes, host: str, port: int) -> bytes | None:
        """The reply to one datagram, or None to drop it."""
        address = source_address(host)
        try:
            header = read_header(data)
            known = await self.clients.find(address) if address is not None else None
            if known is None:
                log.debug("dropped a datagram from %s:%d: not a RADIUS client", host, port)
                return None
            request = parse_request(data, header, known)
        except Malformed as why:
            log.debug("dropped a datagram from %s:%d: %s", host, port, why)
            return None
        if await self.buckets.take(known.client.id) is not None:
            return rejected(request)
        call = AuthnCall.radius(self.config, known.client.id, host)
        key = request_key(host, port, header)
        try:
            reply = await self.db.run(self._answer, call, key, request)
        except ClientNotAuthenticated:
            self.clients.forget()  # removed since this worker read the clients
            log.debug("dropped a datagram from %s:%d: the client was removed", host, port)
            return None
        await self._after_request()
        return reply

    def _answer(self, call: AuthnCall, key: str, request: AccessRequestPacket) -> bytes | None:
        with self.db.unit_of_work() as uow:
            return answer_once(uow, key, call.now, lambda: answer(uow, call, request)).reply

    async def _after_request(self) -> None:
        """Now and then, sweep expired attempts and stored replies, and number user events."""
        if next(self._requests) % HOUSEKEEPING_EVERY == HOUSEKEEPING_EVERY - 1:
            await self.db.run(self._housekeeping, self.config.env.clock())

    def _housekeeping(self, now: datetime) -> None:
        with self.db.unit_of_work() as uow:
            purge_expired_attempts(uow, now)
            purge_radius_replies(uow, now)
            number_user_events(uow)


class RadiusProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: RadiusServer) -> None:
        self._server = server
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's UDP transport has the interface without the class.
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        if self._transport is not None:
            self._server.received(data, addr, self._transport)

    def error_received(self, exc: Exception) -> None:
        log.debug("RADIUS socket error: %s", exc)
