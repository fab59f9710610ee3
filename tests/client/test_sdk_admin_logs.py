"""The SDK's audit export against the real server, sync and async: one page, every page,
every entry, while events keep arriving."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from mfadesk.client import BadRequest, Forbidden, NotFound
from mfadesk.wire.admin_logs import AdminLogEntry, AdminLogPage
from tests.conftest import Stack
from tests.support.exports import TIMESTAMP_PROBLEM, company_event_ids
from tests.support.sdk import assert_api_error, collect


def window(stack: Stack) -> tuple[datetime, datetime]:
    now = stack.clock()
    return now - timedelta(hours=1), now + timedelta(days=1)


async def failed_lookups(api: Any, count: int, stack: Stack) -> None:
    for index in range(count):
        stack.clock.advance(timedelta(milliseconds=5))
        with pytest.raises(NotFound):
            await api.lookup_user(f"ghost{index}@nowhere.example")


async def test_one_page(stack: Stack, api: Any) -> None:
    await failed_lookups(api, 3, stack)
    start, end = window(stack)
    page = await api.export_admin_logs(start, end)
    assert isinstance(page, AdminLogPage)
    everything = company_event_ids(stack)
    assert (page.totalElements, page.totalPages, page.pageSize, page.currentPage) == (
        len(everything),
        1,
        100,
        0,
    )
    assert [e.eventId for e in page.elements] == everything
    last = page.elements[-1]
    assert isinstance(last, AdminLogEntry)
    assert (last.activityKey, last.result, last.targetObject1Id) == (
        "LOOKUP_USER",
        "FAILURE",
        "ghost2@nowhere.example",
    )
    # Any offset, or text as written: the same window.
    paris = timezone(timedelta(hours=1))
    assert await api.export_admin_logs(start.astimezone(paris), end) == page
    text = await api.export_admin_logs(
        start.strftime("%Y-%m-%dT%H:%M:%S.000Z"), end.astimezone(paris).isoformat()
    )
    assert text == page
    second = await api.export_admin_logs(start, end, page_number=1, page_size=2)
    assert [e.eventId for e in second.elements] == everything[2:4]
    assert (second.currentPage, second.pageSize) == (1, 2)


async def test_every_page_and_every_entry(stack: Stack, api: Any) -> None:
    await failed_lookups(api, 7, stack)
    start, end = window(stack)
    everything = company_event_ids(stack)
    pages = await collect(api.iter_admin_log_pages(start, end, page_size=3))
    assert [p.currentPage for p in pages] == list(range((len(everything) + 2) // 3))
    assert [e.eventId for p in pages for e in p.elements] == everything
    entries = await collect(api.iter_admin_logs(start, end, page_size=4))
    assert [e.eventId for e in entries] == everything
    past = stack.clock() - timedelta(days=30)
    assert await collect(api.iter_admin_logs(past, past + timedelta(days=1))) == []
    empty_pages = await collect(api.iter_admin_log_pages(past, past + timedelta(days=1)))
    assert [(p.totalPages, p.elements) for p in empty_pages] == [(0, [])]


async def test_a_walk_holds_still_while_events_arrive(stack: Stack, api: Any) -> None:
    await failed_lookups(api, 6, stack)
    start, end = window(stack)
    before = company_event_ids(stack)
    walk = api.iter_admin_logs(start, end, page_size=2)
    seen = [await anext(walk), await anext(walk)]  # page 0: the snapshot is taken
    await failed_lookups(api, 5, stack)  # new events inside the window, during the walk
    seen += await collect(walk)
    assert [e.eventId for e in seen] == before  # every event once, none of the new ones
    again = await collect(api.iter_admin_logs(start, end, page_size=2))
    assert [e.eventId for e in again] == company_event_ids(stack)  # a new walk sees them


async def test_errors(stack: Stack, connect: Any) -> None:
    helpdesk, api = connect(stack, "helpdesk"), connect(stack)
    start, end = window(stack)
    with pytest.raises(Forbidden) as refused:
        await helpdesk.export_admin_logs(start, end)
    assert_api_error(
        refused.value,
        403,
        "FORBIDDEN",
        "The Help Desk Admin role is not allowed to export audit logs.",
    )
    with pytest.raises(Forbidden):
        await collect(helpdesk.iter_admin_logs(start, end))
    with pytest.raises(BadRequest) as not_iso:
        await api.export_admin_logs("yesterday", end)
    assert_api_error(not_iso.value, 400, "BAD_REQUEST", f"startTimeAfter: {TIMESTAMP_PROBLEM}")
    with pytest.raises(BadRequest) as too_big:
        await api.export_admin_logs(start, end, page_size=101)
    assert too_big.value.description == "pageSize: Input should be less than or equal to 100"
    with pytest.raises(ValueError, match="naive"):
        await api.export_admin_logs(start.replace(tzinfo=None), end)
    with pytest.raises(ValueError, match="naive"):
        api.iter_admin_logs(start, end.replace(tzinfo=None))  # at the call, not the first page
