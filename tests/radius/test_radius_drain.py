"""At shutdown a worker takes no new datagram but finishes the RADIUS exchanges in progress
and sends their replies before its socket closes (issue 14, point 5)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from mfadesk.radius.listener import RadiusProtocol, RadiusServer


class HeldServer(RadiusServer):
    """The real listener whose answer waits until the test lets it go."""

    def __init__(self, release: asyncio.Event, seen: list[bytes]) -> None:
        super().__init__(db=None, config=None, clients=None, buckets=None)  # type: ignore[arg-type]
        self.release = release
        self.seen = seen

    async def handle(self, data: bytes, host: str, port: int) -> bytes | None:
        self.seen.append(data)
        await self.release.wait()
        return b"reply to " + data


async def test_drain_answers_exchanges_in_progress_and_takes_no_new_one() -> None:
    loop = asyncio.get_running_loop()
    release, seen = asyncio.Event(), []
    server = HeldServer(release, seen)
    transport, _ = await loop.create_datagram_endpoint(
        lambda: RadiusProtocol(server), local_addr=("127.0.0.1", 0)
    )
    address: Any = transport.get_extra_info("sockname")
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.bind(("127.0.0.1", 0))
    client.setblocking(False)
    try:
        client.sendto(b"first", address)
        while not seen:
            await asyncio.sleep(0.005)
        draining = asyncio.create_task(server.drain(timeout=10))
        await asyncio.sleep(0.05)
        client.sendto(b"late", address)  # arrives while stopping: dropped
        await asyncio.sleep(0.05)
        assert not draining.done()  # waits for the exchange in progress
        release.set()
        await draining
        reply = await asyncio.wait_for(loop.sock_recv(client, 100), timeout=5)
        assert reply == b"reply to first"
        assert seen == [b"first"]
    finally:
        transport.close()
        client.close()


async def test_drain_gives_up_after_its_timeout() -> None:
    loop = asyncio.get_running_loop()
    seen: list[bytes] = []
    server = HeldServer(asyncio.Event(), seen)  # never released
    transport, _ = await loop.create_datagram_endpoint(
        lambda: RadiusProtocol(server), local_addr=("127.0.0.1", 0)
    )
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        client.sendto(b"stuck", transport.get_extra_info("sockname"))
        while not seen:
            await asyncio.sleep(0.005)
        await asyncio.wait_for(server.drain(timeout=0.2), timeout=5)
    finally:
        transport.close()
        client.close()
