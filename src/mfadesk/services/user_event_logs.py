"""Exporting the user event log (both roles: help desks troubleshoot sign-ins with it), paged
like the admin audit log."""

from __future__ import annotations

from mfadesk.domain.admins import Permission
from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.event_logs import TimeWindow
from mfadesk.domain.paging import Page, PageRequest
from mfadesk.domain.user_events import StoredUserEvent
from mfadesk.services.authorization import authorize
from mfadesk.services.context import Call
from mfadesk.services.export_snapshots import export_snapshot
from mfadesk.store.unit_of_work import UnitOfWork

LOG = "usereventlog"


def export_user_events(
    uow: UnitOfWork, call: Call, window: TimeWindow, page: PageRequest
) -> Page[StoredUserEvent]:
    """One page of the caller's company's authentication events in `window`, oldest first.

    Events are numbered (gap-free) first, then cut in that order up to the export's snapshot,
    so pages neither repeat nor skip events while authentications go on.
    """
    target = Target(TargetType.AUDIT_LOG, LOG, window.describe())
    actor = authorize(
        uow, call, Permission.EXPORT_USER_EVENTS, Action.EXPORT_USER_EVENT_LOG, target
    )
    company_id = actor.company_id
    uow.user_events.assign_sequence()
    snapshot = export_snapshot(
        uow,
        call,
        LOG,
        window,
        page,
        newest_seq=uow.user_events.head_seq,
        count_up_to=lambda high: uow.user_events.count_in_window(company_id, window, high),
    )
    if page.offset >= snapshot.total:
        return Page(page, [], snapshot.total)
    events = uow.user_events.page_in_window(
        company_id, window, snapshot.high_seq, page.offset, page.size
    )
    return Page(page, events, snapshot.total)
