"""The ``client-key`` gate every ``/mfa`` request passes before anything else.

A key this worker has seen accepted goes on to its own token bucket and the use case, which
checks the key again in its transaction (a revocation bites on the next request; the key is
then forgotten here). Any other key is looked up read-only; a key that is unknown or revoked is
refused — 401, or 429 once its client IP has been refused too often — without a write
transaction and without a bucket of its own: refusals count against the client IP's budget of
refused keys (`MFADESK_AUTH_FAILURE_PER_SECOND` / `_BURST`, as the admin API's refused logins),
so random keys cannot each bring a fresh burst.
"""

from __future__ import annotations

from starlette.responses import Response

from mfadesk.api.lru import Lru
from mfadesk.api.rate_limit import Buckets
from mfadesk.api.responses import too_many_requests, unauthorized_response
from mfadesk.observability.events import refused_login
from mfadesk.services.authn_keys import client_key_accepted
from mfadesk.store.database import Database

KNOWN_KEYS = 4096  # agents' keys a worker remembers as accepted (a deployment has a few)


class ClientKeyGate:
    def __init__(self, db: Database, refused: Buckets, size: int = KNOWN_KEYS) -> None:
        self._db = db
        self._refused = refused  # per client IP
        self._known: Lru[str, bool] = Lru(size)

    async def admits(self, key_hash: str) -> bool:
        """Whether the key was accepted here before, or is now (a read-only look-up)."""
        if self._known.get(key_hash):
            return True
        return await self.still_accepted(key_hash)

    async def still_accepted(self, key_hash: str) -> bool:
        """Look the key up again (read-only), remembering or forgetting it."""
        if await self._db.run(self._accepted, key_hash):
            self._known.put(key_hash, True)
            return True
        self._known.pop(key_hash)
        return False

    def forget(self, key_hash: str) -> None:
        """The use case found the key revoked."""
        self._known.pop(key_hash)

    async def refuse(self, source_ip: str | None, path: str) -> Response:
        refused_login("mfa", "client-key missing, unknown or revoked")
        retry = await self._refused.take(source_ip or "unknown")
        return unauthorized_response(path) if retry is None else too_many_requests(retry)

    def _accepted(self, key_hash: str) -> bool:
        with self._db.unit_of_work(readonly=True) as uow:
            return client_key_accepted(uow, key_hash)
