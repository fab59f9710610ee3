"""Administration audit log export (``GET v1/adminlog/exportlogs``)."""

from __future__ import annotations

from datetime import UTC, datetime

from mfadesk.client.operation import Operation, returns
from mfadesk.client.paging import Listing, elements_of, pages_of
from mfadesk.wire.admin_logs import AdminLogEntry, AdminLogPage

EXPORT_PAGE_SIZE = 100  # the most the contract allows per page (and its default)

Moment = datetime | str
"""A time: an aware `datetime`, or ISO 8601 text with an offset, sent as written."""


def wire_time(moment: Moment) -> str:
    """``2026-11-22T07:10:00.000Z`` for an aware datetime; text is passed on unchanged."""
    if isinstance(moment, str):
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime is ambiguous: give it a timezone (e.g. UTC)")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def export_params(
    start_time_after: Moment,
    end_time_on_or_before: Moment,
    page_number: int | None,
    page_size: int | None,
) -> dict[str, str | int]:
    """The query of an event log export (admin log, user event log)."""
    params: dict[str, str | int] = {
        "startTimeAfter": wire_time(start_time_after),
        "endTimeOnOrBefore": wire_time(end_time_on_or_before),
    }
    if page_number is not None:
        params["pageNumber"] = page_number
    if page_size is not None:
        params["pageSize"] = page_size
    return params


def export_admin_logs(
    start_time_after: Moment,
    end_time_on_or_before: Moment,
    *,
    page_number: int | None = None,
    page_size: int | None = None,
) -> Operation[AdminLogPage]:
    """One page of the company's audit events logged after `start_time_after` and on or
    before `end_time_on_or_before`, oldest first (``GET v1/adminlog/exportlogs``), Super
    Admin only. `page_number` counts from 0; `page_size` is 1..100 (default 100). Later pages
    of one window hold still while new events arrive (the service answers from the snapshot
    page 0 took). Read-only, so retried freely. `iter_admin_logs` walks every page.

    Raises `Forbidden` (Help Desk Admin), `BadRequest` (a bound missing or not ISO 8601
    with an offset, page parameters out of range). A naive `datetime` raises `ValueError`.
    """
    params = export_params(start_time_after, end_time_on_or_before, page_number, page_size)
    return Operation("GET", "v1/adminlog/exportlogs", returns(AdminLogPage), params=params)


def iter_admin_log_pages(
    start_time_after: Moment,
    end_time_on_or_before: Moment,
    *,
    page_size: int = EXPORT_PAGE_SIZE,
) -> Listing[AdminLogPage]:
    """Every page of the window, from page 0 to the last, fetched one at a time.

    The totals and the pages are those of page 0's snapshot: no event is repeated or missed
    however many are logged meanwhile (an event logged during the walk shows in the next
    export). Raises what `export_admin_logs` raises, when the page that fails is fetched.
    """
    start, end = wire_time(start_time_after), wire_time(end_time_on_or_before)
    return pages_of(
        lambda number: export_admin_logs(start, end, page_number=number, page_size=page_size)
    )


def iter_admin_logs(
    start_time_after: Moment,
    end_time_on_or_before: Moment,
    *,
    page_size: int = EXPORT_PAGE_SIZE,
) -> Listing[AdminLogEntry]:
    """Every audit event of the window, oldest first, fetched a page at a time
    (`iter_admin_log_pages`, one entry at a time).

    To follow the log, pass the last ``eventLogDate`` seen as the next `start_time_after`:
    the window's start is exclusive, so no event is exported twice.
    """
    start, end = wire_time(start_time_after), wire_time(end_time_on_or_before)
    return elements_of(
        lambda number: export_admin_logs(start, end, page_number=number, page_size=page_size),
        lambda page: page.elements,
    )
