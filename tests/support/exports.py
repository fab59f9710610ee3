"""Calling the audit export from the tests, and what to compare its replies with."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack

EXPORT = "v1/adminlog/exportlogs"
TIMESTAMP_PROBLEM = (
    "must be an ISO 8601 time with an offset, such as 2026-11-22T07:10:00.000Z"
    " or 2026-11-22T08:10:00.000+01:00"
)


def at(moment: datetime) -> str:
    return format_timestamp(moment)


def export(stack: Stack, admin: str = "super", **params: Any) -> httpx.Response:
    with stack.client(admin) as api:
        return api.get(EXPORT, params=params)


def window(stack: Stack, **params: Any) -> dict[str, Any]:
    """Everything from an hour ago until a day from now (the window ends in the future)."""
    now = stack.clock()
    query = {
        "startTimeAfter": at(now - timedelta(hours=1)),
        "endTimeOnOrBefore": at(now + timedelta(days=1)),
    }
    return {**query, **params}


def failed_lookup(stack: Stack, label: str) -> None:
    """One audited event (FAILURE, target = the e-mail) at the clock's current time."""
    with stack.client() as api:
        response = api.post("v1/users/lookup", json={"email": f"{label}@nowhere.example"})
    assert response.status_code == 404


def company_event_ids(stack: Stack) -> list[str]:
    return [
        e.event_id for e in stack.audit_events() if e.event.company_id == stack.tenant.company_id
    ]


def ids(body: dict[str, Any]) -> list[str]:
    return [entry["eventId"] for entry in body["elements"]]
