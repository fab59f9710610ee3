"""The SDK's user event log export against the real server, sync and async."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mfadesk.wire.user_event_logs import UserEventLogPage
from tests.conftest import Stack
from tests.support.authn import Agent, add_client_key, alice_code, email
from tests.support.sdk import collect


async def test_every_authentication_event(stack: Stack, api: Any, connect: Any) -> None:
    agent = Agent(stack, add_client_key(stack))
    agent.initialize(email("alice"), "SECURID", alice_code(stack))
    for _ in range(4):
        agent.initialize(email("alice"), "SECURID", "000000")
    agent.close()
    start, end = stack.clock() - timedelta(hours=1), stack.clock() + timedelta(days=1)
    page = await api.export_user_events(start, end, page_size=2)
    assert isinstance(page, UserEventLogPage)
    assert (page.totalElements, page.totalPages) == (5, 3)
    entries = await collect(api.iter_user_events(start, end, page_size=2))
    assert [e.result for e in entries] == ["SUCCESS"] + ["FAIL"] * 4
    assert len({e.eventId for e in entries}) == 5
    help_desk_page = await connect(stack, "helpdesk").export_user_events(start, end)
    assert help_desk_page.totalElements == 5  # a help-desk task (docs/permissions.md)
