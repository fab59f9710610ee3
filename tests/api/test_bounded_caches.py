"""The in-process stores are bounded, and a full one forgets its least recently used entry —
never everything at once (a flood of source addresses would reset every refused client's
budget)."""

from __future__ import annotations

from pathlib import Path

from mfadesk.api.audience import AudiencePolicy
from mfadesk.api.jwt_auth import TokenVerifier
from mfadesk.api.rate_limit import DatabaseBuckets, MemoryBuckets
from mfadesk.domain.rate_buckets import Bucket
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from tests.support.clock import MutableClock
from tests.support.keys import key_pair, mint

URL = "http://127.0.0.1:8080"


async def test_a_flood_of_addresses_does_not_refill_a_refused_one() -> None:
    buckets = MemoryBuckets(rate=0.001, burst=1, max_keys=3)
    assert await buckets.take("attacker") is None
    assert await buckets.take("attacker") is not None
    for flood in range(10):  # more new addresses than the store holds
        assert await buckets.take(f"10.0.0.{flood}") is None
        assert await buckets.take("attacker") is not None
    assert len(buckets._state) == 3


async def test_database_buckets_keep_answering_a_refused_address_from_memory(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'mfadesk.db'}")
    upgrade(db.engine)
    now = [1_700_000_000.0]
    buckets = DatabaseBuckets(db, "t", 0.001, 1, clock=lambda: now[0], max_refused=2)
    try:
        assert await buckets.take("attacker") is None
        assert await buckets.take("attacker") is not None  # refused: remembered
        # Refilled behind its back: only a worker that forgot the refusal would read the row.
        with db.unit_of_work() as uow:
            uow.rate_buckets.save("t:attacker", Bucket(1.0, now[0]))
        for address in ("b", "c", "d"):  # more refused addresses than it remembers
            assert await buckets.take(address) is None
            assert await buckets.take(address) is not None
            assert await buckets.take("attacker") is not None  # still from memory
    finally:
        db.close()


async def test_public_keys_of_busy_access_ids_stay_cached() -> None:
    looked_up: list[str] = []
    public = key_pair(0)[1]

    async def lookup(access_id: str) -> str:
        looked_up.append(access_id)
        return public

    clock = MutableClock()
    verifier = TokenVerifier(AudiencePolicy(URL), clock, lookup, cache_size=2)

    async def verify(access_id: str) -> None:  # a fresh token each time: no token cache hit
        token = mint(key_pair(0)[0], access_id, URL + "/AdminInterface/restapi/", clock.timestamp())
        assert await verifier.verify(token) == access_id

    for access_id in ("busy", "idle", "busy", "new", "busy"):
        await verify(access_id)
    assert looked_up == ["busy", "idle", "new"]
