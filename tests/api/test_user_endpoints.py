"""What every endpoint of the users surface shares: the filter's 403, 429 and a bare 500."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from mfadesk.domain.audit import Action, Result
from mfadesk.services.provisioning import Operator, revoke_api_key
from tests.conftest import Stack, StackFactory
from tests.support.failing_random import SwitchableRandom
from tests.support.wire import assert_auth_failure, assert_error, assert_too_many

# (method, path, body, action audited when a revoked key calls it)
ENDPOINTS: list[tuple[str, str, Any, Action]] = [
    ("POST", "v1/users/search", {"emailLike": "alice"}, Action.SEARCH_USERS),
    ("POST", "v2/users/search", {"emailLike": "alice"}, Action.SEARCH_USERS),
    ("PUT", "v1/users/{alice}/userStatus", {"userStatus": "Enabled"}, Action.ENABLE_USER),
    ("PUT", "v1/users/{carol}/markDeleted", {"markDeleted": True}, Action.MARK_USER_DELETED),
    ("POST", "v1/users/{alice}/sync", None, Action.SYNC_USER),
    ("GET", "v2/users/{alice}/devices", None, Action.LIST_USER_DEVICES),
    ("PUT", "v2/users/{alice}/emergencyTokencode", {}, Action.ENABLE_EMERGENCY_TOKENCODE),
]
IDS = [f"{method} {path}" for method, path, _, _ in ENDPOINTS]


def url_of(stack: Stack, path: str) -> str:
    return path.format(alice=stack.tenant.user("alice"), carol=stack.tenant.user("carol"))


@pytest.mark.parametrize(("method", "path", "body", "action"), ENDPOINTS, ids=IDS)
def test_a_refused_jwt_is_the_filter_403(
    stack: Stack, method: str, path: str, body: Any, action: Action
) -> None:
    response = httpx.request(
        method,
        f"{stack.admin_base}/{url_of(stack, path)}",
        json=body,
        headers={"Authorization": "Bearer not.a.jwt"},
    )
    assert_auth_failure(response)


@pytest.mark.parametrize(("method", "path", "body", "action"), ENDPOINTS, ids=IDS)
def test_a_revoked_key_is_the_filter_403_and_audited(
    stack: Stack, method: str, path: str, body: Any, action: Action
) -> None:
    with stack.client() as api:  # the JWT is verified and cached before the key is revoked
        assert api.post("v1/users/lookup", json={"email": "bob@acme.example"}).status_code == 200
        with stack.db.unit_of_work() as uow:
            revoke_api_key(uow, Operator.start(stack.env), stack.admin("super").access_id)
        response = api.request(method, url_of(stack, path), json=body)
    assert_auth_failure(response)
    denied = stack.audit_events()[-1].event
    assert (denied.action, denied.result) == (action, Result.DENIED)


@pytest.mark.parametrize(("method", "path", "body", "action"), ENDPOINTS, ids=IDS)
def test_every_endpoint_answers_429_past_the_key_limit(
    make_stack: StackFactory, method: str, path: str, body: Any, action: Action
) -> None:
    stack = make_stack(rate_limit_per_second=0.01, rate_limit_burst=2)
    with stack.client() as api:
        for _ in range(2):
            assert api.request(method, url_of(stack, path), json=body).status_code != 429
        limited = api.request(method, url_of(stack, path), json=body)
    assert_too_many(limited)
    with stack.client("helpdesk") as other:  # one busy key never slows another
        assert other.request(method, url_of(stack, path), json=body).status_code != 429


@contextmanager
def table_missing(stack: Stack, table: str) -> Iterator[None]:
    """A real database failure under the running server: the table is gone for a moment."""
    with stack.db.engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {table} RENAME TO {table}_away"))
    try:
        yield
    finally:
        with stack.db.engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {table}_away RENAME TO {table}"))


@pytest.mark.parametrize(
    ("method", "path", "body", "table"),
    [
        ("POST", "v1/users/lookup", {"email": "alice@acme.example"}, "emergency_tokencodes"),
        ("POST", "v1/users/search", {"emailLike": "alice"}, "emergency_tokencodes"),
        ("POST", "v2/users/search", {"emailLike": "alice"}, "emergency_tokencodes"),
        ("POST", "v1/users/{alice}/sync", None, "emergency_tokencodes"),
        ("GET", "v2/users/{alice}/devices", None, "ds100_credentials"),
    ],
)
def test_a_database_failure_is_a_bare_500(
    stack: Stack, method: str, path: str, body: Any, table: str
) -> None:
    with stack.client() as api, table_missing(stack, table):
        response = api.request(method, url_of(stack, path), json=body)
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
    with stack.client() as api:  # and the service is fine again once the table is back
        assert api.request(method, url_of(stack, path), json=body).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("v1/users/{alice}/userStatus", {"userStatus": "Disabled"}),
        ("v1/users/{carol}/markDeleted", {"markDeleted": True}),
        ("v2/users/{alice}/emergencyTokencode", {"expiryUnit": "hours", "expiryValue": 2}),
    ],
)
def test_a_failure_mid_change_is_a_bare_500_and_changes_nothing(
    make_stack: StackFactory, path: str, body: Any
) -> None:
    random = SwitchableRandom()
    stack = make_stack(random=random)
    before = len(stack.audit_events())
    random.failing = True
    with stack.client() as api:
        response = api.put(url_of(stack, path), json=body)
    random.failing = False
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
    assert len(stack.audit_events()) == before
    with stack.client() as api:
        for email in ("alice@acme.example", "carol@acme.example"):
            details = api.post("v1/users/lookup", json={"email": email}).json()
            assert (details["userStatus"], details["markDeleted"]) == (
                "Enabled" if email.startswith("alice") else "Disabled",
                False,
            )
            assert details["emergencyAccessStatus"] == "Disabled"


def test_unknown_user_paths_are_404_everywhere(stack: Stack) -> None:
    stranger = str(uuid.uuid4())
    with stack.client() as api:
        for method, path, body in [
            ("PUT", "v1/users/{}/userStatus", {"userStatus": "Disabled"}),
            ("PUT", "v1/users/{}/markDeleted", {"markDeleted": True}),
            ("POST", "v1/users/{}/sync", None),
            ("GET", "v2/users/{}/devices", None),
            ("PUT", "v2/users/{}/emergencyTokencode", {}),
        ]:
            for user_id in (stranger, "not-a-user"):
                response = api.request(method, path.format(user_id), json=body)
                assert_error(response, 404, "NOT_FOUND", f"User {user_id} not found")
