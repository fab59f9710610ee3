"""The snapshot an export's pages share, for any event log (admin log, user event log).

A log whose events carry a gap-free sequence, and whose pages are cut in that order, gets
pages that neither repeat nor skip events while new ones arrive; the snapshot also keeps the
totals put. Page 0 starts an export; later pages reuse its snapshot while it is fresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from mfadesk.domain.event_logs import SNAPSHOT_TTL, ExportSnapshot, TimeWindow
from mfadesk.domain.paging import PageRequest
from mfadesk.services.context import Call
from mfadesk.store.unit_of_work import UnitOfWork


def snapshot_key(log: str, access_id: str, window: TimeWindow) -> str:
    return hashlib.sha256(f"{log}|{access_id}|{window.describe()}".encode()).hexdigest()


def export_snapshot(
    uow: UnitOfWork,
    call: Call,
    log: str,
    window: TimeWindow,
    page: PageRequest,
    *,
    newest_seq: Callable[[], int],
    count_up_to: Callable[[int], int],
) -> ExportSnapshot:
    """The snapshot for this caller's export of `log` over `window`: reused by pages after the
    first while fresh, else taken now (newest sequence number, events in the window up to it)."""
    key = snapshot_key(log, call.access_id, window)
    if page.number > 0:
        existing = uow.export_snapshots.get(key)
        if existing is not None and existing.fresh(call.now):
            return existing
    high_seq = newest_seq()
    snapshot = ExportSnapshot(key, high_seq, count_up_to(high_seq), call.now)
    uow.export_snapshots.purge(call.now - SNAPSHOT_TTL)
    uow.export_snapshots.put(snapshot)
    return snapshot
