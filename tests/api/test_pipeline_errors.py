"""Whatever fails before a handler runs is answered in the contract's format, never with the
server's bare text/plain 500."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import text

from mfadesk.api.state import AppState
from tests.conftest import Stack, StackFactory
from tests.support.failing_buckets import FailingBuckets
from tests.support.failing_random import SwitchableRandom
from tests.support.wire import assert_error

LOOKUP = "v1/users/lookup"
ALICE = {"email": "alice@acme.example"}


def assert_internal_error(response: httpx.Response) -> None:
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")


def app_state(stack: Stack) -> AppState:
    state: AppState = stack.server.app.state.mfadesk
    return state


def lookup(stack: Stack, token: str) -> httpx.Response:
    return httpx.post(
        f"{stack.admin_base}/{LOOKUP}", json=ALICE, headers={"Authorization": f"Bearer {token}"}
    )


@contextmanager
def table_gone(stack: Stack, table: str) -> Iterator[None]:
    """A real failure of the database under the running server (put right afterwards: the
    PostgreSQL database is shared by the session's tests)."""
    with stack.db.engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {table} RENAME TO {table}_gone"))
    try:
        yield
    finally:
        with stack.db.engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {table}_gone RENAME TO {table}"))


def test_a_failing_jwt_verification_is_the_json_500(stack: Stack) -> None:
    with table_gone(stack, "admins"):  # the public key cannot be looked up
        assert_internal_error(lookup(stack, stack.jwt()))


def test_a_failing_key_bucket_is_the_json_500(stack: Stack) -> None:
    app_state(stack).key_buckets = FailingBuckets()
    assert_internal_error(lookup(stack, stack.jwt()))


def test_a_failing_refusal_bucket_is_the_json_500(stack: Stack) -> None:
    app_state(stack).failure_buckets = FailingBuckets()
    assert_internal_error(lookup(stack, "x.y.z"))


def test_a_failing_refusal_audit_is_the_json_500(make_stack: StackFactory) -> None:
    random = SwitchableRandom()
    stack = make_stack(random=random)
    random.failing = True
    assert_internal_error(lookup(stack, stack.jwt(algorithm="HS256")))
