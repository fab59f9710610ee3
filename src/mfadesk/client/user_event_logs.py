"""User event log export (``GET v1/usereventlog/exportlogs``)."""

from __future__ import annotations

from mfadesk.client.admin_logs import EXPORT_PAGE_SIZE, Moment, export_params, wire_time
from mfadesk.client.operation import Operation, returns
from mfadesk.client.paging import Listing, elements_of
from mfadesk.wire.user_event_logs import UserEventLogEntry, UserEventLogPage


def export_user_events(
    start_time_after: Moment,
    end_time_on_or_before: Moment,
    *,
    page_number: int | None = None,
    page_size: int | None = None,
) -> Operation[UserEventLogPage]:
    """One page of the company's authentication events in the window, oldest first, Super
    Admin only; paged exactly like `export_admin_logs` (entries in
    ``userEventLogExportEntries``). Read-only, so retried freely."""
    params = export_params(start_time_after, end_time_on_or_before, page_number, page_size)
    return Operation("GET", "v1/usereventlog/exportlogs", returns(UserEventLogPage), params=params)


def iter_user_events(
    start_time_after: Moment,
    end_time_on_or_before: Moment,
    *,
    page_size: int = EXPORT_PAGE_SIZE,
) -> Listing[UserEventLogEntry]:
    """Every authentication event of the window, oldest first, a page at a time."""
    start, end = wire_time(start_time_after), wire_time(end_time_on_or_before)
    return elements_of(
        lambda number: export_user_events(start, end, page_number=number, page_size=page_size),
        lambda page: page.elements,
    )
