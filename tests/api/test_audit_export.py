"""GET /v1/adminlog/exportlogs over real HTTP: windows, pages, roles and refusals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from mfadesk.domain.admins import Role
from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from mfadesk.services.provisioning import (
    Operator,
    add_admin,
    add_user,
    resolve_company,
    revoke_api_key,
)
from tests.conftest import Stack, StackFactory
from tests.support.keys import key_pair, mint
from tests.support.tenant import TOKEN_ALICE
from tests.support.wire import assert_auth_failure, assert_error, assert_too_many

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


def test_export_answers_the_contract_fields(stack: Stack) -> None:
    stack.clock.advance(timedelta(milliseconds=1234))
    alice = stack.tenant.user("alice")
    with stack.client() as api:
        assert api.patch(
            f"v1/users/{alice}/sidTokens/disable", json={"tokenSerialNumber": TOKEN_ALICE}
        ).is_success
    response = export(stack, **window(stack))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    everything = company_event_ids(stack)
    assert {k: v for k, v in body.items() if k != "elements"} == {
        "totalPages": 1,
        "totalElements": len(everything),
        "pageSize": 100,
        "currentPage": 0,
    }
    assert ids(body) == everything
    disabled = stack.audit_events()[-1]
    assert body["elements"][-1] == {
        "eventId": disabled.event_id,
        "eventLogDate": at(stack.clock()),
        "adminUserName": "super@acme.example",
        "adminUserRole": "Super Admin",
        "activityKey": "DISABLE_HARDWARE_TOKEN",
        "result": "SUCCESS",
        "message": f"Hardware token {TOKEN_ALICE} of user {alice} disabled",
        "targetObject1Id": TOKEN_ALICE,
        "targetObject1Name": TOKEN_ALICE,
        "targetObject1Type": "HARDWARE_TOKEN",
        "sourceIPAddress": "127.0.0.1",
    }
    operator_entry = body["elements"][0]  # the tenant was built by operator commands
    assert (operator_entry["adminUserName"], operator_entry["adminUserRole"]) == (
        "operator",
        "Operator",
    )
    assert operator_entry["sourceIPAddress"] == "local"


def test_entries_are_chronological(stack: Stack) -> None:
    for label in ("first", "second", "third"):
        stack.clock.advance(timedelta(seconds=1))
        failed_lookup(stack, label)
    body = export(stack, **window(stack)).json()
    dates = [entry["eventLogDate"] for entry in body["elements"]]
    assert dates == sorted(dates)
    assert [e["targetObject1Name"] for e in body["elements"][-3:]] == [
        f"{label}@nowhere.example" for label in ("first", "second", "third")
    ]


def test_refused_attempts_are_exported(stack: Stack) -> None:
    refused_query = window(stack)
    assert export(stack, "helpdesk", **refused_query).status_code == 403
    stack.clock.advance(timedelta(seconds=1))
    forged = mint(
        key_pair(7)[0], stack.admin("super").access_id, stack.audience, stack.clock.timestamp()
    )
    stranger = stack.jwt(access_id=str(uuid.uuid4()))
    for token in (forged, stranger):
        headers = {"Authorization": f"Bearer {token}"}
        assert_auth_failure(httpx.get(f"{stack.admin_base}/{EXPORT}", headers=headers))
    body = export(stack, **window(stack)).json()
    role_denial, bad_signature = body["elements"][-2:]
    assert {k: v for k, v in role_denial.items() if k != "eventId"} == {
        "eventLogDate": at(stack.clock() - timedelta(seconds=1)),
        "adminUserName": "helpdesk@acme.example",
        "adminUserRole": "Help Desk Admin",
        "activityKey": "EXPORT_ADMIN_LOG",
        "result": "DENIED",
        "message": "The Help Desk Admin role is not allowed to export audit logs.",
        "targetObject1Id": "adminlog",
        "targetObject1Name": (
            f"{refused_query['startTimeAfter']}/{refused_query['endTimeOnOrBefore']}"
        ),
        "targetObject1Type": "AUDIT_LOG",
        "sourceIPAddress": "127.0.0.1",
    }
    # A refused JWT naming one of our keys is ours to see; one naming no known key is nobody's.
    assert {k: v for k, v in bad_signature.items() if k not in ("eventId", "message")} == {
        "eventLogDate": at(stack.clock()),
        "adminUserName": "super@acme.example",
        "adminUserRole": "Super Admin",
        "activityKey": "AUTHENTICATE",
        "result": "DENIED",
        "targetObject1Id": f"/AdminInterface/restapi/{EXPORT}",
        "targetObject1Name": f"/AdminInterface/restapi/{EXPORT}",
        "targetObject1Type": "ADMIN_API",
        "sourceIPAddress": "127.0.0.1",
    }
    assert bad_signature["message"].startswith("bad signature")
    unattributed = stack.audit_events()[-1].event
    assert (unattributed.action, unattributed.company_id) == (Action.AUTHENTICATE, None)
    assert unattributed.access_id is not None and unattributed.access_id not in str(body)


def test_a_revoked_key_is_named_in_the_denial(stack: Stack) -> None:
    token = stack.jwt()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{stack.admin_base}/{EXPORT}"
    assert httpx.get(url, params=window(stack), headers=headers).status_code == 200
    with stack.db.unit_of_work() as uow:
        revoke_api_key(uow, Operator.start(stack.env), stack.admin("super").access_id)
    refused = httpx.get(url, params=window(stack), headers=headers)
    assert_auth_failure(refused)
    event = stack.audit_events()[-1].event
    assert (event.action, event.result) == (Action.EXPORT_ADMIN_LOG, Result.DENIED)
    assert (event.company_id, event.admin_email) == (stack.tenant.company_id, "super@acme.example")


def test_only_the_callers_company_is_exported(stack: Stack) -> None:
    op = Operator.start(stack.env)
    with stack.db.unit_of_work() as uow:
        globex = resolve_company(uow, op, "Globex")
        add_user(uow, op, globex, "alice@globex.example")
        _, globex_key = add_admin(
            uow, op, globex, "super@globex.example", Role.SUPER_ADMIN, key_pair(2)[1], "test"
        )
    token = mint(key_pair(2)[0], globex_key, stack.audience, stack.clock.timestamp())
    headers = {"Authorization": f"Bearer {token}"}
    theirs_reply = httpx.get(f"{stack.admin_base}/{EXPORT}", params=window(stack), headers=headers)
    ours = export(stack, **window(stack)).json()
    assert ids(ours) == company_event_ids(stack)
    theirs = {e.event_id for e in stack.audit_events() if e.event.company_id == globex.id}
    assert len(theirs) == 3 and not theirs & set(ids(ours))
    assert set(ids(theirs_reply.json())) == theirs


def test_help_desk_is_refused_and_audited(stack: Stack) -> None:
    before = len(stack.audit_events())
    response = export(stack, "helpdesk", **window(stack))
    assert_error(
        response, 403, "FORBIDDEN", "The Help Desk Admin role is not allowed to export audit logs."
    )
    events = stack.audit_events()
    assert len(events) == before + 1
    denial = events[-1].event
    assert (denial.action, denial.result, denial.admin_email) == (
        Action.EXPORT_ADMIN_LOG,
        Result.DENIED,
        "helpdesk@acme.example",
    )


def test_a_successful_export_is_not_an_event(stack: Stack) -> None:
    before = len(stack.audit_events())
    assert export(stack, **window(stack)).status_code == 200
    assert len(stack.audit_events()) == before


@pytest.mark.parametrize("token", [None, "not.a.jwt"])
def test_refused_jwt_is_403_in_the_filter_format(stack: Stack, token: str | None) -> None:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    response = httpx.get(f"{stack.admin_base}/{EXPORT}", params=window(stack), headers=headers)
    assert_auth_failure(response)


def test_past_the_key_limit_is_429(make_stack: StackFactory) -> None:
    stack = make_stack(rate_limit_per_second=0.01, rate_limit_burst=1)
    with stack.client() as api:
        assert api.get(EXPORT, params=window(stack)).status_code == 200
        limited = api.get(EXPORT, params=window(stack))
    assert_too_many(limited)
    assert limited.headers["retry-after"] == "100"


def test_an_unexpected_failure_is_a_bare_500(stack: Stack) -> None:
    def rename(old: str, new: str) -> None:
        with stack.db.engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))

    rename("export_snapshots", "export_snapshots_away")  # the database fails under the server
    try:
        response = export(stack, **window(stack))
    finally:
        rename("export_snapshots_away", "export_snapshots")
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
    assert export(stack, **window(stack)).status_code == 200


GOOD = "2026-11-22T07:10:00.000Z"


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"endTimeOnOrBefore": GOOD}, "startTimeAfter: Field required"),
        ({"startTimeAfter": GOOD}, "endTimeOnOrBefore: Field required"),
        ({}, "startTimeAfter: Field required"),
        ({"startTimeAfter": "", "endTimeOnOrBefore": GOOD}, "startTimeAfter: Field required"),
        (
            {"startTimeAfter": "2026-11-22T07:10:00.000", "endTimeOnOrBefore": GOOD},
            f"startTimeAfter: {TIMESTAMP_PROBLEM}",
        ),
        (
            {"startTimeAfter": "yesterday", "endTimeOnOrBefore": GOOD},
            f"startTimeAfter: {TIMESTAMP_PROBLEM}",
        ),
        (
            {"startTimeAfter": GOOD, "endTimeOnOrBefore": "2026-13-22T07:10:00.000Z"},
            f"endTimeOnOrBefore: {TIMESTAMP_PROBLEM}",
        ),
        (
            {"startTimeAfter": GOOD, "endTimeOnOrBefore": "2026-11-22T07:10:00.000+25:00"},
            f"endTimeOnOrBefore: {TIMESTAMP_PROBLEM}",
        ),
        (
            {"startTimeAfter": "0001-01-01T00:00:00.000+01:00", "endTimeOnOrBefore": GOOD},
            f"startTimeAfter: {TIMESTAMP_PROBLEM}",
        ),
        (
            {"startTimeAfter": GOOD, "endTimeOnOrBefore": GOOD, "pageSize": "0"},
            "pageSize: Input should be greater than or equal to 1",
        ),
        (
            {"startTimeAfter": GOOD, "endTimeOnOrBefore": GOOD, "pageSize": "101"},
            "pageSize: Input should be less than or equal to 100",
        ),
        (
            {"startTimeAfter": GOOD, "endTimeOnOrBefore": GOOD, "pageSize": "ten"},
            "pageSize: Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            {"startTimeAfter": GOOD, "endTimeOnOrBefore": GOOD, "pageNumber": "-1"},
            "pageNumber: Input should be greater than or equal to 0",
        ),
        (
            {"startTimeAfter": GOOD, "endTimeOnOrBefore": GOOD, "pageNumber": "1.5"},
            "pageNumber: Input should be a valid integer, unable to parse string as an integer",
        ),
    ],
)
def test_missing_or_invalid_parameters_are_400(
    stack: Stack, params: dict[str, str], description: str
) -> None:
    before = len(stack.audit_events())
    assert_error(export(stack, **params), 400, "BAD_REQUEST", description)
    # Syntax is checked before the role, and nothing is recorded.
    assert_error(export(stack, "helpdesk", **params), 400, "BAD_REQUEST", description)
    assert len(stack.audit_events()) == before


def test_empty_window_and_defaults(stack: Stack) -> None:
    past = stack.clock() - timedelta(days=30)
    body = export(
        stack, startTimeAfter=at(past), endTimeOnOrBefore=at(past + timedelta(days=1))
    ).json()
    assert body == {
        "totalPages": 0,
        "totalElements": 0,
        "pageSize": 100,
        "currentPage": 0,
        "elements": [],
    }
    # Empty values count as absent (a client filling in the contract's URL template).
    empty_params = export(stack, **window(stack), pageNumber="", pageSize="").json()
    assert (empty_params["pageSize"], empty_params["currentPage"]) == (100, 0)
    assert empty_params["totalElements"] == len(company_event_ids(stack))


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(hours=-1)])
def test_a_window_that_ends_where_it_starts_or_earlier_is_empty(
    stack: Stack, offset: timedelta
) -> None:
    now = stack.clock()
    body = export(stack, startTimeAfter=at(now), endTimeOnOrBefore=at(now + offset)).json()
    assert (body["totalElements"], body["elements"]) == (0, [])


def test_pages_partition_the_window(stack: Stack) -> None:
    for index in range(5):
        stack.clock.advance(timedelta(milliseconds=10))
        failed_lookup(stack, f"user{index}")
    everything = company_event_ids(stack)
    total = len(everything)
    size = 3
    last = (total - 1) // size
    pages = [
        export(stack, **window(stack), pageNumber=n, pageSize=size).json() for n in range(last + 1)
    ]
    for number, body in enumerate(pages):
        assert body["totalElements"] == total
        assert body["totalPages"] == last + 1
        assert (body["pageSize"], body["currentPage"]) == (size, number)
    assert [ids(body) for body in pages] == [
        everything[i : i + size] for i in range(0, total, size)
    ]
    assert len(ids(pages[last])) == total - last * size
    beyond = export(stack, **window(stack), pageNumber=last + 1, pageSize=size).json()
    assert beyond == {
        "totalPages": last + 1,
        "totalElements": total,
        "pageSize": size,
        "currentPage": last + 1,
        "elements": [],
    }


@pytest.mark.parametrize("size", [1, 100])
def test_page_size_bounds_are_accepted(stack: Stack, size: int) -> None:
    body = export(stack, **window(stack), pageSize=size).json()
    assert body["pageSize"] == size
    assert len(body["elements"]) == min(size, len(company_event_ids(stack)))


def test_no_duplicates_and_no_gaps_while_events_arrive(stack: Stack) -> None:
    for index in range(4):
        stack.clock.advance(timedelta(milliseconds=5))
        failed_lookup(stack, f"before{index}")
    query = window(stack, pageSize=3)
    snapshot = company_event_ids(stack)
    first = export(stack, **query, pageNumber=0).json()
    seen = ids(first)
    for page_number in range(1, first["totalPages"] + 1):
        # New events inside the window (it ends in the future) between every two pages.
        stack.clock.advance(timedelta(milliseconds=5))
        failed_lookup(stack, f"during{page_number}")
        body = export(stack, **query, pageNumber=page_number).json()
        assert (body["totalElements"], body["totalPages"]) == (
            first["totalElements"],
            first["totalPages"],
        )
        seen += ids(body)
    assert seen == snapshot  # every event once, in order, none of the new ones
    again = export(stack, **query, pageNumber=0).json()  # a new export sees the new events
    assert again["totalElements"] == len(snapshot) + first["totalPages"]
    rest = [export(stack, **query, pageNumber=n).json() for n in range(1, again["totalPages"])]
    assert ids(again) + [i for body in rest for i in ids(body)] == company_event_ids(stack)


def test_later_pages_without_a_first_page_and_stale_snapshots(stack: Stack) -> None:
    query = window(stack, pageSize=2)
    total = len(company_event_ids(stack))
    assert export(stack, **query, pageNumber=1).json()["totalElements"] == total
    failed_lookup(stack, "new")
    assert export(stack, **query, pageNumber=1).json()["totalElements"] == total
    stack.clock.advance(timedelta(hours=1))  # a snapshot is shared for at most an hour
    assert export(stack, **query, pageNumber=1).json()["totalElements"] == total + 1


def test_bounds_after_is_exclusive_and_on_or_before_is_inclusive(stack: Stack) -> None:
    base = stack.clock().replace(microsecond=0) + timedelta(minutes=1)
    moments = {
        "before": base - timedelta(milliseconds=1),
        "at-start": base,
        "at-start-half": base + timedelta(microseconds=500),  # shows as `base`
        "inside": base + timedelta(milliseconds=1),
        "at-end": base + timedelta(seconds=1),
        "at-end-half": base + timedelta(seconds=1, microseconds=999),  # shows as the end
        "after": base + timedelta(seconds=1, milliseconds=1),
    }
    for label, moment in moments.items():
        stack.clock.advance(moment - stack.clock())
        failed_lookup(stack, label)
    body = export(
        stack, startTimeAfter=at(base), endTimeOnOrBefore=at(base + timedelta(seconds=1))
    ).json()
    assert [e["targetObject1Name"].split("@")[0] for e in body["elements"]] == [
        "inside",
        "at-end",
        "at-end-half",
    ]
    assert [e["eventLogDate"] for e in body["elements"]] == [
        at(moments["inside"]),
        at(moments["at-end"]),
        at(moments["at-end"]),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "startTimeAfter={start}Z&endTimeOnOrBefore={end}Z",
        "startTimeAfter={start_plus}+01:00&endTimeOnOrBefore={end_minus}-05:30",  # raw '+'
        "startTimeAfter={start_plus}%2B01:00&endTimeOnOrBefore={end_minus}-05:30",
        "startTimeAfter={start_plus}%2B0100&endTimeOnOrBefore={end}%2B00:00",
        "startTimeAfter={start}z&endTimeOnOrBefore={end}Z&pageSize=100&pageNumber=0",
    ],
)
def test_both_timestamp_encodings_name_the_same_window(stack: Stack, query: str) -> None:
    base = stack.clock().replace(microsecond=0) + timedelta(minutes=1)
    for label in ("out", "in", "end"):
        stack.clock.advance(base - stack.clock())
        failed_lookup(stack, label)
        base += timedelta(seconds=10)
    start = base - timedelta(seconds=30)  # the "out" event
    end = base - timedelta(seconds=10)  # the "end" event

    def local(moment: datetime, hours: float) -> str:
        shifted = moment.astimezone(UTC) + timedelta(hours=hours)
        return shifted.strftime("%Y-%m-%dT%H:%M:%S.") + f"{shifted.microsecond // 1000:03d}"

    url = f"{EXPORT}?" + query.format(
        start=at(start)[:-1],
        end=at(end)[:-1],
        start_plus=local(start, 1),
        end_minus=local(end, -5.5),
    )
    with stack.client() as api:
        response = api.get(url)
    assert response.status_code == 200, response.text
    assert "+" not in query or "+" in str(response.request.url)  # sent raw, not encoded
    names = [e["targetObject1Name"].split("@")[0] for e in response.json()["elements"]]
    assert names == ["in", "end"]
