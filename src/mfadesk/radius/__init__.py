"""The RADIUS front end: VPN gateways, firewalls and ``pam_radius`` authenticate people with
the same verification as ``/mfa/v1_1`` (docs/radius.md).

A thin edge beside ``api/``: packets through ``pyrad`` (`packets`), one Access-Request through
the authentication services (`exchange`), the UDP protocol of a worker (`listener`), the
worker's view of the configured clients (`clients`). `radius_service` runs it beside the HTTP
app, on a socket bound by `mfadesk serve`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator

from mfadesk.api.app import Companion
from mfadesk.api.authn import lockout_policy
from mfadesk.api.state import AppState
from mfadesk.radius.clients import ClientDirectory
from mfadesk.radius.listener import RadiusProtocol, RadiusServer
from mfadesk.services.authn_call import AuthnConfig
from mfadesk.services.radius_clients import secret_cipher

log = logging.getLogger("mfadesk.radius")


def radius_service(sock: socket.socket, drain_seconds: float | None = None) -> Companion:
    """Serve RADIUS on ``sock`` (a bound UDP socket) for as long as the app runs; at shutdown
    answer the exchanges in progress (for up to `drain_seconds`) before closing."""

    @contextlib.asynccontextmanager
    async def serve(state: AppState) -> AsyncIterator[None]:
        server = RadiusServer(
            db=state.db,
            config=AuthnConfig.build(state.env, lockout_policy(state.settings)),
            clients=ClientDirectory(state.db, secret_cipher(state.env.keys)),
            buckets=state.radius_buckets,
        )
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: RadiusProtocol(server), sock=sock
        )
        try:
            yield
        finally:
            await server.drain(drain_seconds)
            transport.close()

    return serve


__all__ = ["radius_service"]
