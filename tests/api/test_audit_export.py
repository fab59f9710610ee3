"""GET /v1/adminlog/exportlogs over real HTTP: the entries, who may export, every status."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from mfadesk.domain.admins import Role
from mfadesk.domain.audit import Action, Result
from mfadesk.services.provisioning import (
    Operator,
    add_admin,
    add_user,
    ensure_company,
    revoke_api_key,
)
from tests.conftest import Stack, StackFactory
from tests.support.exports import (
    EXPORT,
    TIMESTAMP_PROBLEM,
    at,
    company_event_ids,
    export,
    failed_lookup,
    ids,
    window,
)
from tests.support.keys import key_pair, mint
from tests.support.tenant import TOKEN_ALICE
from tests.support.wire import assert_auth_failure, assert_error, assert_too_many


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
        globex = ensure_company(uow, op, "Globex")
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
    assert len(theirs) == 4 and not theirs & set(ids(ours))  # company, user, admin, key
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
