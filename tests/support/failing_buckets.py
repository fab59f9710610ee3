"""Rate-limit buckets that fail, as a shared store can: how tests reach the pipeline's 500."""

from __future__ import annotations


class FailingBuckets:
    async def take(self, key: str) -> int | None:
        raise ConnectionError("injected failure: the buckets' store is unreachable")
