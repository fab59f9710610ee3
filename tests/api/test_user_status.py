"""PUT /v1/users/{userId}/userStatus and /markDeleted: Super Admin only, audited."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack
from tests.support.wire import assert_error

STATUS = "v1/users/{}/userStatus"
MARK = "v1/users/{}/markDeleted"


def put(stack: Stack, path: str, user: str, body: Any, admin: str = "super") -> httpx.Response:
    with stack.client(admin) as api:
        return api.put(path.format(stack.tenant.user(user)), json=body)


def lookup(stack: Stack, user: str) -> Any:
    with stack.client() as api:
        return api.post("v1/users/lookup", json={"email": f"{user}@acme.example"}).json()


def audited(stack: Stack, *actions: Action) -> list[tuple[Action, Result, bool, str | None]]:
    return [
        (e.event.action, e.event.result, e.event.changed, e.event.admin_email)
        for e in stack.audit_events()
        if e.event.action in actions
    ]


def test_disable_and_enable_a_user(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    response = put(stack, STATUS, "alice", {"userStatus": "Disabled"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"id": alice, "userStatus": "Disabled"}
    assert lookup(stack, "alice")["userStatus"] == "Disabled"
    again = put(stack, STATUS, "alice", {"userStatus": "Disabled"})
    assert again.json() == {"id": alice, "userStatus": "Disabled"}
    enabled = put(stack, STATUS, "alice", {"userStatus": "Enabled"})
    assert enabled.json() == {"id": alice, "userStatus": "Enabled"}
    assert lookup(stack, "alice")["userStatus"] == "Enabled"
    assert audited(stack, Action.DISABLE_USER, Action.ENABLE_USER) == [
        (Action.DISABLE_USER, Result.SUCCESS, True, "super@acme.example"),
        (Action.DISABLE_USER, Result.SUCCESS, False, "super@acme.example"),
        (Action.ENABLE_USER, Result.SUCCESS, True, "super@acme.example"),
    ]
    messages = [e.event.message for e in stack.audit_events()[-3:]]
    assert messages == [
        "User alice@acme.example disabled",
        "User alice@acme.example already disabled",
        "User alice@acme.example enabled",
    ]


@pytest.mark.parametrize("value", ["enabled", "ENABLED", " Enabled "])
def test_status_names_in_any_case(stack: Stack, value: str) -> None:
    response = put(stack, STATUS, "carol", {"userStatus": value})
    assert response.json() == {"id": stack.tenant.user("carol"), "userStatus": "Enabled"}


def test_a_disabled_user_gets_no_emergency_tokencode(stack: Stack) -> None:
    put(stack, STATUS, "alice", {"userStatus": "Disabled"})
    with stack.client() as api:
        for path, body in (
            ("v1/users/{}/emergencyTokencode", {"expirationDays": "1"}),
            ("v2/users/{}/emergencyTokencode", {}),
        ):
            response = api.put(path.format(stack.tenant.user("alice")), json=body)
            assert_error(response, 400, "BAD_REQUEST", "User is disabled.")


@pytest.mark.parametrize(
    ("body", "description"),
    [
        (b"{", "Malformed JSON request body."),
        (b"[]", "Malformed JSON request body."),
        (b"{}", "userStatus: Field required"),
        (b'{"userStatus": "Paused"}', "userStatus must be Enabled or Disabled"),
        (b'{"userStatus": true}', "userStatus must be Enabled or Disabled"),
        (b'{"userStatus": null}', "userStatus must be Enabled or Disabled"),
    ],
)
def test_bad_status_bodies_are_400_and_change_nothing(
    stack: Stack, body: bytes, description: str
) -> None:
    before = len(stack.audit_events())
    with stack.client() as api:
        response = api.put(STATUS.format(stack.tenant.user("alice")), content=body)
    assert_error(response, 400, "BAD_REQUEST", description)
    assert len(stack.audit_events()) == before
    assert lookup(stack, "alice")["userStatus"] == "Enabled"


@pytest.mark.parametrize(
    ("path", "body", "action", "description"),
    [
        (
            STATUS,
            {"userStatus": "Disabled"},
            Action.DISABLE_USER,
            "The Help Desk Admin role is not allowed to change user status.",
        ),
        (
            MARK,
            {"markDeleted": True},
            Action.MARK_USER_DELETED,
            "The Help Desk Admin role is not allowed to mark users deleted.",
        ),
        (
            MARK,
            {"markDeleted": False},
            Action.UNMARK_USER_DELETED,
            "The Help Desk Admin role is not allowed to mark users deleted.",
        ),
    ],
)
def test_help_desk_may_not_and_the_refusal_is_audited(
    stack: Stack, path: str, body: Any, action: Action, description: str
) -> None:
    response = put(stack, path, "carol", body, admin="helpdesk")
    assert_error(response, 403, "FORBIDDEN", description)
    denied = stack.audit_events()[-1].event
    assert (denied.action, denied.result, denied.changed) == (action, Result.DENIED, False)
    assert (denied.admin_email, denied.admin_role) == ("helpdesk@acme.example", "Help Desk Admin")
    assert denied.target.id == stack.tenant.user("carol") and denied.message == description
    assert (lookup(stack, "carol")["userStatus"], lookup(stack, "carol")["markDeleted"]) == (
        "Disabled",
        False,
    )


def test_mark_deleted_and_undelete(stack: Stack) -> None:
    carol = stack.tenant.user("carol")
    response = put(stack, MARK, "carol", {"markDeleted": True})
    assert (response.status_code, response.json()) == (200, {"id": carol, "markDeleted": True})
    details = lookup(stack, "carol")
    assert details["markDeleted"] is True
    assert details["markDeletedAt"] == format_timestamp(stack.clock())
    assert details["markDeletedBy"] == "super@acme.example"
    stack.clock.advance(timedelta(minutes=3))
    back = put(stack, MARK, "carol", {"markDeleted": "false"})
    assert (back.status_code, back.json()) == (200, {"id": carol, "markDeleted": False})
    details = lookup(stack, "carol")
    assert (details["markDeleted"], details["markDeletedAt"], details["markDeletedBy"]) == (
        False,
        None,
        None,
    )
    assert audited(stack, Action.MARK_USER_DELETED, Action.UNMARK_USER_DELETED) == [
        (Action.MARK_USER_DELETED, Result.SUCCESS, True, "super@acme.example"),
        (Action.UNMARK_USER_DELETED, Result.SUCCESS, True, "super@acme.example"),
    ]


@pytest.mark.parametrize("value", [True, "true", "TRUE"])
def test_mark_deleted_accepts_the_documented_string_form(stack: Stack, value: Any) -> None:
    response = put(stack, MARK, "carol", {"markDeleted": value})
    assert response.json() == {"id": stack.tenant.user("carol"), "markDeleted": True}


def test_mark_deleted_conflicts(stack: Stack) -> None:
    alice, carol = stack.tenant.user("alice"), stack.tenant.user("carol")
    assert_error(
        put(stack, MARK, "alice", {"markDeleted": True}),
        409,
        "CONFLICT",
        f"User {alice} is enabled: disable the user first",
    )
    assert_error(
        put(stack, MARK, "carol", {"markDeleted": False}),
        409,
        "CONFLICT",
        f"User {carol} is not marked deleted",
    )
    assert put(stack, MARK, "carol", {"markDeleted": True}).status_code == 200
    assert_error(
        put(stack, MARK, "carol", {"markDeleted": True}),
        409,
        "CONFLICT",
        f"User {carol} is already marked deleted",
    )
    assert_error(  # a user pending deletion stays disabled
        put(stack, STATUS, "carol", {"userStatus": "Enabled"}),
        409,
        "CONFLICT",
        f"User {carol} is marked deleted: undelete the user before enabling",
    )
    assert put(stack, STATUS, "carol", {"userStatus": "Disabled"}).status_code == 200
    failures = [
        (e.event.action, e.event.result)
        for e in stack.audit_events()
        if e.event.result is Result.FAILURE
    ]
    assert failures == [
        (Action.MARK_USER_DELETED, Result.FAILURE),
        (Action.UNMARK_USER_DELETED, Result.FAILURE),
        (Action.MARK_USER_DELETED, Result.FAILURE),
        (Action.ENABLE_USER, Result.FAILURE),
    ]
    assert lookup(stack, "carol")["userStatus"] == "Disabled"


@pytest.mark.parametrize(
    ("body", "description"),
    [
        (b"{", "Malformed JSON request body."),
        (b"{}", "markDeleted: Field required"),
        (b'{"markDeleted": "maybe"}', "markDeleted must be true or false"),
        (b'{"markDeleted": 1}', "markDeleted must be true or false"),
        (b'{"markDeleted": null}', "markDeleted must be true or false"),
    ],
)
def test_bad_mark_deleted_bodies_are_400(stack: Stack, body: bytes, description: str) -> None:
    with stack.client() as api:
        response = api.put(MARK.format(stack.tenant.user("carol")), content=body)
    assert_error(response, 400, "BAD_REQUEST", description)
    assert lookup(stack, "carol")["markDeleted"] is False


def test_concurrent_marks_succeed_exactly_once(stack: Stack) -> None:
    carol = stack.tenant.user("carol")
    token = stack.jwt()

    def mark(_: int) -> int:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            return client.put(
                f"{stack.admin_base}/{MARK.format(carol)}", json={"markDeleted": True}
            ).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = sorted(pool.map(mark, range(16)))
    assert codes == [200] + [409] * 15
    successes = [e for e in audited(stack, Action.MARK_USER_DELETED) if e[1] is Result.SUCCESS]
    assert len(successes) == 1
