"""A SID700 token's whole life over HTTP, as the audit trail tells it; races; edges of every
hardware token endpoint (refused JWT, rate limit)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack, StackFactory
from tests.support.authenticators import add_spare_tokens, audit_mark, steps_since, token
from tests.support.tenant import TOKEN_ALICE, TOKEN_SPARE
from tests.support.wire import assert_auth_failure, assert_error, assert_too_many

SUPER = "super@acme.example"
HELPDESK = "helpdesk@acme.example"


def test_assign_disable_enable_unassign_delete(stack: Stack) -> None:
    dave = stack.tenant.user("dave")
    body = {"tokenSerialNumber": TOKEN_SPARE}
    mark = audit_mark(stack)

    def step(api: httpx.Client, method: str, path: str, **extra: Any) -> httpx.Response:
        stack.clock.advance(timedelta(seconds=30))
        return api.request(method, path, json={**body, **extra})

    with stack.client("helpdesk") as helpdesk, stack.client() as admin:
        assigned = step(helpdesk, "PATCH", f"v1/users/{dave}/sidTokens/assign", tokenName="D")
        assert assigned.status_code == 200
        assert (assigned.json()["tokenStatus"], assigned.json()["tokenName"]) == ("Enabled", "D")

        disabled = step(helpdesk, "PATCH", f"v1/users/{dave}/sidTokens/disable")
        assert disabled.json() == {
            "userId": dave,
            "tokenSerialNumber": TOKEN_SPARE,
            "tokenStatus": "Disabled",
            "tokenStatusChangedBy": HELPDESK,
            "tokenStatusChangedAt": format_timestamp(stack.clock()),
        }
        enabled = step(admin, "PATCH", f"v1/users/{dave}/sidTokens/enable")
        assert enabled.json()["tokenStatus"] == "Enabled"
        assert enabled.json()["tokenStatusChangedBy"] == SUPER

        unassigned = step(helpdesk, "PATCH", f"v1/users/{dave}/sidTokens/unassign")
        assert unassigned.json()["tokenState"] == "Unassigned"
        assert unassigned.json()["tokenStatus"] == "Disabled"

        # Enabling needs an assigned token.
        assert_error(
            step(helpdesk, "PATCH", f"v1/users/{dave}/sidTokens/enable"),
            409,
            "CONFLICT",
            f"Hardware token {TOKEN_SPARE} is not assigned to a user",
        )
        assert step(helpdesk, "DELETE", "v1/sidTokens/delete").status_code == 403
        deleted = step(admin, "DELETE", "v1/sidTokens/delete")
        assert deleted.status_code == 200
        assert deleted.json()["tokenStatus"] == "Disabled"
        assert_error(
            step(admin, "POST", "v1/sidTokens/lookup"),
            404,
            "NOT_FOUND",
            f"Hardware token {TOKEN_SPARE} not found",
        )

    assert steps_since(stack, mark) == [
        (Action.ASSIGN_HARDWARE_TOKEN, TOKEN_SPARE, HELPDESK, Result.SUCCESS, True),
        (Action.DISABLE_HARDWARE_TOKEN, TOKEN_SPARE, HELPDESK, Result.SUCCESS, True),
        (Action.ENABLE_HARDWARE_TOKEN, TOKEN_SPARE, SUPER, Result.SUCCESS, True),
        (Action.UNASSIGN_HARDWARE_TOKEN, TOKEN_SPARE, HELPDESK, Result.SUCCESS, True),
        (Action.ENABLE_HARDWARE_TOKEN, TOKEN_SPARE, HELPDESK, Result.FAILURE, False),
        (Action.DELETE_HARDWARE_TOKEN, TOKEN_SPARE, HELPDESK, Result.DENIED, False),
        (Action.DELETE_HARDWARE_TOKEN, TOKEN_SPARE, SUPER, Result.SUCCESS, True),
        (Action.LOOKUP_HARDWARE_TOKEN, TOKEN_SPARE, SUPER, Result.FAILURE, False),
    ]
    times = [stored.event.occurred_at for stored in stack.audit_events()[mark:]]
    assert times == sorted(times) and len(set(times)) == len(times)
    with stack.db.unit_of_work() as uow:
        assert uow.audit.verify_chain().ok


def test_a_token_moves_to_another_user_only_through_unassign(stack: Stack) -> None:
    alice, bob = stack.tenant.user("alice"), stack.tenant.user("bob")
    body = {"tokenSerialNumber": TOKEN_ALICE}
    with stack.client() as api:
        assert api.patch(f"v1/users/{bob}/sidTokens/assign", json=body).status_code == 409
        assert api.patch(f"v1/users/{alice}/sidTokens/unassign", json=body).status_code == 200
        moved = api.patch(f"v1/users/{bob}/sidTokens/assign", json=body)
    assert moved.status_code == 200
    assert moved.json()["userId"] == bob
    assert moved.json()["tokenStatus"] == "Enabled"


def test_concurrent_assignments_of_one_spare_token_have_one_winner(stack: Stack) -> None:
    spares = [f"00030000000{i}" for i in range(6)]
    add_spare_tokens(stack, spares)
    users = [stack.tenant.user("alice"), stack.tenant.user("bob")]
    jwt = stack.jwt()
    mark = audit_mark(stack)

    def assign(job: tuple[str, str]) -> tuple[str, str, httpx.Response]:
        serial, user = job
        with httpx.Client(headers={"Authorization": f"Bearer {jwt}"}, timeout=60) as client:
            response = client.patch(
                f"{stack.admin_base}/v1/users/{user}/sidTokens/assign",
                json={"tokenSerialNumber": serial},
            )
        return serial, user, response

    jobs = [(serial, user) for serial in spares for user in users]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(assign, jobs))

    for serial in spares:
        outcomes = sorted((r.status_code, user, r) for s, user, r in results if s == serial)
        assert [code for code, _, _ in outcomes] == [200, 409]
        (_, winner, won), (_, _, lost) = outcomes
        assert won.json()["userId"] == winner
        assert_error(lost, 409, "CONFLICT", f"Hardware token {serial} is assigned to another user")
        stored = token(stack, serial)
        assert stored is not None and stored.user_id == winner
        assigns = [
            (result, changed)
            for action, target, _, result, changed in steps_since(stack, mark)
            if action is Action.ASSIGN_HARDWARE_TOKEN and target == serial
        ]
        assert sorted(assigns) == [(Result.FAILURE, False), (Result.SUCCESS, True)]
    with stack.db.unit_of_work() as uow:
        assert uow.audit.verify_chain().ok


# Every hardware token endpoint added beside disable/enable: (method, path, body)
ENDPOINTS = [
    ("POST", "v1/sidTokens/lookup", {"tokenSerialNumber": TOKEN_ALICE}),
    ("PATCH", "v1/users/{alice}/sidTokens/assign", {"tokenSerialNumber": TOKEN_ALICE}),
    ("PATCH", "v1/users/{alice}/sidTokens/unassign", {"tokenSerialNumber": TOKEN_SPARE}),
    ("DELETE", "v1/sidTokens/delete", {"tokenSerialNumber": "NOPE"}),
    ("PATCH", "v2/users/{alice}/sidTokens/clearPin", {"tokenSerialNumber": TOKEN_ALICE}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_a_refused_jwt_gets_the_filter_403(
    stack: Stack, method: str, path: str, body: dict[str, str]
) -> None:
    url = f"{stack.admin_base}/{path.format(alice=stack.tenant.user('alice'))}"
    before = token(stack, TOKEN_ALICE)
    for headers in ({}, {"Authorization": "Bearer not.a.jwt"}):
        assert_auth_failure(httpx.request(method, url, json=body, headers=headers))
    expired = stack.jwt(issued_at=stack.clock.timestamp() - 7200, lifetime=600)
    assert_auth_failure(
        httpx.request(method, url, json=body, headers={"Authorization": f"Bearer {expired}"})
    )
    assert token(stack, TOKEN_ALICE) == before


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_every_endpoint_answers_429_past_the_key_limit(
    make_stack: StackFactory, method: str, path: str, body: dict[str, str]
) -> None:
    stack = make_stack(rate_limit_per_second=0.01, rate_limit_burst=2)
    url = path.format(alice=stack.tenant.user("alice"))
    with stack.client() as api:
        for _ in range(2):
            assert api.request(method, url, json=body).status_code != 429
        limited = api.request(method, url, json=body)
    assert_too_many(limited)
    with stack.client("helpdesk") as other:
        assert other.request(method, url, json=body).status_code != 429
