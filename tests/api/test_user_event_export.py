"""GET /v1/usereventlog/exportlogs: every authentication step, paged like the admin log."""

from __future__ import annotations

from datetime import timedelta

from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack
from tests.support.authn import Agent, add_client_key, alice_code, email
from tests.support.tenant import TOKEN_ALICE

EXPORT = "v1/usereventlog/exportlogs"


def window(stack: Stack, **extra: object) -> dict[str, object]:
    now = stack.clock()
    return {
        "startTimeAfter": format_timestamp(now - timedelta(hours=1)),
        "endTimeOnOrBefore": format_timestamp(now + timedelta(days=1)),
        **extra,
    }


def authenticate(stack: Stack, agent: Agent, times: int) -> None:
    for _ in range(times):
        agent.initialize(email("alice"), "SECURID", "000000")  # a wrong code: FAIL


def test_export_pages_authentication_events_without_codes(stack: Stack) -> None:
    agent = Agent(stack, add_client_key(stack, "vpn-gateway"))
    code = alice_code(stack)
    agent.initialize(email("alice"), "SECURID", code)
    authenticate(stack, agent, 4)
    with stack.client() as api:
        first = api.get(EXPORT, params=window(stack, pageSize=3)).json()
        authenticate(stack, agent, 2)  # new events while paging: the export's totals hold
        second = api.get(EXPORT, params=window(stack, pageSize=3, pageNumber=1)).json()
    agent.close()
    assert (first["totalElements"], first["totalPages"], first["currentPage"]) == (5, 2, 0)
    assert (second["totalElements"], second["currentPage"]) == (5, 1)
    entries = first["userEventLogExportEntries"] + second["userEventLogExportEntries"]
    assert len({e["eventId"] for e in entries}) == 5
    success = entries[0]
    assert success["userId"] == stack.tenant.user("alice")
    assert success["userName"] == email("alice")
    assert (success["authenticationMethod"], success["result"]) == ("SECURID", "SUCCESS")
    assert success["tokenSerialNumber"] == TOKEN_ALICE
    assert success["agentName"] == "vpn-gateway"
    assert success["sourceIPAddress"] == "127.0.0.1"
    assert [e["result"] for e in entries[1:]] == ["FAIL"] * 4
    assert code not in str(entries)


def test_help_desk_may_export_and_bad_windows_are_400(stack: Stack) -> None:
    agent = Agent(stack, add_client_key(stack, "vpn-gateway"))
    authenticate(stack, agent, 1)
    agent.close()
    with stack.client("helpdesk") as api:
        allowed = api.get(EXPORT, params=window(stack))
    assert allowed.status_code == 200
    assert [e["result"] for e in allowed.json()["userEventLogExportEntries"]] == ["FAIL"]
    with stack.client() as api:
        missing = api.get(EXPORT, params={"startTimeAfter": "2026-11-22T07:10:00.000Z"})
        empty = api.get(EXPORT, params=window(stack, pageNumber=7)).json()
    assert missing.status_code == 400 and missing.json()["code"] == "400 BAD_REQUEST"
    assert empty["userEventLogExportEntries"] == [] and empty["totalElements"] == 1
