"""Exporting the administration audit log (Super Admin only)."""

from __future__ import annotations

from mfadesk.domain.admins import Permission
from mfadesk.domain.audit import Action, StoredAuditEvent, Target, TargetType
from mfadesk.domain.event_logs import TimeWindow
from mfadesk.domain.paging import Page, PageRequest
from mfadesk.services.authorization import authorize
from mfadesk.services.context import Call
from mfadesk.services.export_snapshots import export_snapshot
from mfadesk.store.unit_of_work import UnitOfWork

LOG = "adminlog"


def export_admin_logs(
    uow: UnitOfWork, call: Call, window: TimeWindow, page: PageRequest
) -> Page[StoredAuditEvent]:
    """One page of the caller's company's audit events in `window`, in the chain's order.

    Pages are cut from the events with ``seq`` up to the export's snapshot: events appended
    while a client pages through neither shift nor repeat anything, and the totals hold.
    """
    target = Target(TargetType.AUDIT_LOG, LOG, window.describe())
    actor = authorize(uow, call, Permission.EXPORT_AUDIT, Action.EXPORT_ADMIN_LOG, target)
    company_id = actor.company_id
    if page.number == 0:
        uow.audit.chain_pending()  # rows whose writer could not link them (store/audit.py)
    snapshot = export_snapshot(
        uow,
        call,
        LOG,
        window,
        page,
        newest_seq=uow.audit.head_seq,
        count_up_to=lambda high_seq: uow.audit.count_in_window(company_id, window, high_seq),
    )
    if page.offset >= snapshot.total:
        return Page(page, [], snapshot.total)
    events = uow.audit.page_in_window(company_id, window, snapshot.high_seq, page.offset, page.size)
    return Page(page, events, snapshot.total)
