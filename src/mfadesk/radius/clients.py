"""The RADIUS clients as one worker knows them: read from the database, with their secrets,
and read again every few seconds — `mfadesk radius-client add` takes effect without a restart.
A removal takes effect at once all the same: each request's use case looks its client up again
in its own transaction, and a client found gone there makes this worker read them all again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mfadesk.domain.radius_clients import Address, most_specific
from mfadesk.otp.seed_cipher import SeedCipher
from mfadesk.services.radius_clients import KnownClient, load_radius_clients
from mfadesk.store.database import Database

REFRESH_SECONDS = 2.0


class ClientDirectory:
    def __init__(
        self,
        db: Database,
        cipher: SeedCipher,
        refresh: float = REFRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._cipher = cipher
        self._refresh = refresh
        self._monotonic = monotonic
        self._clients: list[KnownClient] = []
        self._by_address: dict[Address, KnownClient | None] = {}
        self._loaded_at: float | None = None

    async def find(self, address: Address) -> KnownClient | None:
        """The client a datagram from ``address`` comes from (the most specific network)."""
        now = self._monotonic()
        if self._loaded_at is None or now - self._loaded_at >= self._refresh:
            self._clients = await self._db.run(self._load)
            self._by_address = {}
            self._loaded_at = now
        if address in self._by_address:
            return self._by_address[address]
        found = most_specific((k.client for k in self._clients), address)
        known = next((k for k in self._clients if k.client is found), None)
        if len(self._by_address) < 65_536:  # a flood of source addresses must not grow it
            self._by_address[address] = known
        return known

    def forget(self) -> None:
        """Read the clients again before the next datagram."""
        self._loaded_at = None

    def _load(self) -> list[KnownClient]:
        with self._db.unit_of_work(readonly=True) as uow:
            return load_radius_clients(uow, self._cipher)
