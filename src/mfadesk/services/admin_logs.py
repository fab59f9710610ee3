"""Exporting the administration audit log (Super Admin only)."""

from __future__ import annotations

import hashlib

from mfadesk.domain.admins import Permission
from mfadesk.domain.audit import Action, StoredAuditEvent, Target, TargetType
from mfadesk.domain.event_logs import SNAPSHOT_TTL, ExportSnapshot, TimeWindow
from mfadesk.domain.paging import Page, PageRequest
from mfadesk.services.authorization import authorize
from mfadesk.services.context import Call
from mfadesk.store.unit_of_work import UnitOfWork

_LOG = "adminlog"


def _snapshot_key(access_id: str, window: TimeWindow) -> str:
    material = f"{_LOG}|{access_id}|{window.describe()}"
    return hashlib.sha256(material.encode()).hexdigest()


def _snapshot(
    uow: UnitOfWork, call: Call, company_id: str, window: TimeWindow, page: PageRequest
) -> ExportSnapshot:
    """The first page of an export takes a new snapshot; later pages share it while fresh."""
    key = _snapshot_key(call.access_id, window)
    if page.number > 0:
        existing = uow.export_snapshots.get(key)
        if existing is not None and existing.fresh(call.now):
            return existing
    high_seq = uow.audit.head_seq()
    total = uow.audit.count_in_window(company_id, window, high_seq)
    snapshot = ExportSnapshot(key, high_seq, total, call.now)
    uow.export_snapshots.purge(call.now - SNAPSHOT_TTL)
    uow.export_snapshots.put(snapshot)
    return snapshot


def export_admin_logs(
    uow: UnitOfWork, call: Call, window: TimeWindow, page: PageRequest
) -> Page[StoredAuditEvent]:
    """One page of the caller's company's audit events in `window`, in the chain's order.

    Pages are cut from the events with ``seq`` up to the snapshot's: events appended while a
    client pages through neither shift nor repeat anything, and the totals do not move.
    """
    target = Target(TargetType.AUDIT_LOG, _LOG, window.describe())
    actor = authorize(uow, call, Permission.EXPORT_AUDIT, Action.EXPORT_ADMIN_LOG, target)
    snapshot = _snapshot(uow, call, actor.company_id, window, page)
    if snapshot.total == 0 or page.offset >= snapshot.total:
        return Page(page, [], snapshot.total)
    events = uow.audit.page_in_window(
        actor.company_id, window, snapshot.high_seq, page.offset, page.size
    )
    return Page(page, events, snapshot.total)
