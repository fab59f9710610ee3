"""DELETE /v1/users/{userId} (Delete User Now): a disabled user goes for good, with what was
theirs; every status code of the contract; and the service's own purge seven days after a mark."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

import httpx

from mfadesk.domain.audit import Action, Result
from tests.conftest import Stack, StackFactory
from tests.support.authenticators import set_token_pin, token
from tests.support.sources import add_scim_user
from tests.support.tenant import DEVICE_DAVE, TOKEN_ALICE
from tests.support.wire import assert_error

USER = "v1/users/{}"


def delete(stack: Stack, user_id: str, admin: str = "super") -> httpx.Response:
    with stack.client(admin) as api:
        return api.delete(USER.format(user_id))


def call(stack: Stack, method: str, path: str, body: Any = None) -> httpx.Response:
    with stack.client() as api:
        return api.request(method, path, json=body)


def audited(stack: Stack, action: Action) -> list[tuple[Result, str]]:
    return [
        (e.event.result, e.event.message) for e in stack.audit_events() if e.event.action is action
    ]


def test_a_disabled_user_is_deleted_with_what_was_theirs(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    issued = call(stack, "PUT", f"v1/users/{alice}/emergencyTokencode", {"expirationDays": "1"})
    assert issued.status_code == 200
    set_token_pin(stack, TOKEN_ALICE)
    call(stack, "PUT", f"v1/users/{alice}/userStatus", {"userStatus": "Disabled"})

    response = delete(stack, alice)
    assert response.status_code == 200
    assert response.json() == {}
    lookup = call(stack, "POST", "v1/users/lookup", {"email": "alice@acme.example"})
    assert_error(lookup, 404, "NOT_FOUND", "User alice@acme.example not found")
    spare = call(stack, "POST", "v1/sidTokens/lookup", {"tokenSerialNumber": TOKEN_ALICE}).json()
    assert (spare["tokenStatus"], spare["userId"], spare["pinSet"], spare["name"]) == (
        "Disabled",
        None,
        False,
        None,
    )
    assert spare["tokenStatusChangedBy"] == "super@acme.example"
    stored = token(stack, TOKEN_ALICE)
    assert stored is not None and stored.assigned_at is None
    with stack.db.unit_of_work() as uow:
        assert uow.emergency_tokencodes.latest(alice) is None
    assert audited(stack, Action.DELETE_USER) == [
        (
            Result.SUCCESS,
            "User alice@acme.example deleted: 1 hardware token(s) returned to the pool, "
            "1 emergency tokencode(s) removed",
        )
    ]
    assert_error(delete(stack, alice), 404, "NOT_FOUND", f"User {alice} not found")


def test_a_users_ds100_registrations_go_with_them(stack: Stack) -> None:
    dave = stack.tenant.user("dave")
    call(stack, "PUT", f"v1/users/{dave}/userStatus", {"userStatus": "Disabled"})
    assert delete(stack, dave.upper()).status_code == 200
    device = call(stack, "POST", "v1/ds100/lookup", {"deviceSerialNumber": DEVICE_DAVE})
    assert_error(device, 404, "NOT_FOUND", f"DS100 device {DEVICE_DAVE} not found")


def test_the_refusals(stack: Stack) -> None:
    alice, carol = stack.tenant.user("alice"), stack.tenant.user("carol")
    assert_error(
        delete(stack, carol, admin="helpdesk"),
        403,
        "FORBIDDEN",
        "The Help Desk Admin role is not allowed to delete users.",
    )
    unknown = str(uuid.uuid4())
    assert_error(delete(stack, unknown), 404, "NOT_FOUND", f"User {unknown} not found")
    assert_error(delete(stack, "not-a-uuid"), 404, "NOT_FOUND", "User not-a-uuid not found")
    assert_error(
        delete(stack, alice), 409, "CONFLICT", f"User {alice} is enabled: disable the user first"
    )
    call(stack, "PUT", f"v1/users/{carol}/markDeleted", {"markDeleted": True})
    assert_error(
        delete(stack, carol),
        409,
        "CONFLICT",
        f"User {carol} is marked deleted: the deletion is already pending",
    )
    assert [result for result, _ in audited(stack, Action.DELETE_USER)] == [
        Result.DENIED,
        Result.FAILURE,
        Result.FAILURE,
        Result.FAILURE,
        Result.FAILURE,
    ]
    lookup = call(stack, "POST", "v1/users/lookup", {"email": "carol@acme.example"})
    assert lookup.status_code == 200


def test_a_scim_sources_user_is_deleted_through_scim(stack: Stack) -> None:
    erin = add_scim_user(stack)
    assert_error(
        delete(stack, erin),
        405,
        "METHOD_NOT_ALLOWED",
        f"User {erin} belongs to the SCIM identity source 'Entra ID': delete the user through SCIM",
    )
    details = call(stack, "POST", "v1/users/lookup", {"email": "erin@acme.example"}).json()
    with stack.db.unit_of_work() as uow:
        stored = uow.users.get(stack.tenant.company_id, erin)
    assert stored is not None
    assert (
        details["identitySource"],
        details["principalUsername"],
        details["alternateUsername"],
        details["primaryUniqueIdentifier"],
        details["lastSyncTime"],
    ) == ("Entra ID", "erin", "", stored.primary_unique_identifier, details["creationDate"])


def test_the_service_purges_users_seven_days_after_the_mark(make_stack: StackFactory) -> None:
    stack = make_stack(purge_interval_seconds=0.1)
    carol, dave = stack.tenant.user("carol"), stack.tenant.user("dave")
    call(stack, "PUT", f"v1/users/{carol}/markDeleted", {"markDeleted": True})
    stack.clock.advance(timedelta(days=1))
    call(stack, "PUT", f"v1/users/{dave}/userStatus", {"userStatus": "Disabled"})
    call(stack, "PUT", f"v1/users/{dave}/markDeleted", {"markDeleted": True})
    stack.clock.advance(timedelta(days=6))  # carol's seven days are over, dave's are not
    deadline = time.monotonic() + 15
    while (
        call(stack, "POST", "v1/users/lookup", {"email": "carol@acme.example"}).status_code != 404
    ):
        assert time.monotonic() < deadline, "carol was not purged"
        time.sleep(0.05)
    time.sleep(0.3)  # a few more rounds of the purge
    assert call(stack, "POST", "v1/users/lookup", {"email": "dave@acme.example"}).status_code == 200
    [purged] = [e.event for e in stack.audit_events() if e.event.action is Action.PURGE_USER]
    assert (purged.target.id, purged.admin_email, purged.admin_role) == (carol, "mfadesk", "System")
