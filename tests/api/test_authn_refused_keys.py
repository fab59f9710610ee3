"""Unknown client-keys on /mfa: refused without a write transaction, and counted against the
client IP's budget of refused keys — a random key brings no fresh burst of its own."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from mfadesk.services.authn_keys import revoke_authn_key
from mfadesk.services.provisioning import Operator, resolve_company
from tests.api.test_authn_client_keys import INITIALIZE_BODY, assert_unauthorized
from tests.conftest import Stack, StackFactory
from tests.support.authn import AUTHN, CHALLENGE, Agent, add_client_key, email, outcome
from tests.support.wire import assert_too_many


def with_key(stack: Stack, key: str) -> httpx.Response:
    url = stack.server.base_url + AUTHN + "/initialize"
    return httpx.post(url, json=INITIALIZE_BODY, headers={"client-key": key}, timeout=5)


def random_key() -> str:
    return secrets.token_urlsafe(32)


def test_unknown_keys_spend_their_addresses_budget_not_a_burst_each(
    make_stack: StackFactory,
) -> None:
    stack = make_stack(auth_failure_per_second=0.001, auth_failure_burst=3)
    agent = Agent(stack, add_client_key(stack))
    for _ in range(3):
        assert_unauthorized(with_key(stack, random_key()))
    refused = with_key(stack, random_key())
    assert_too_many(refused)
    assert int(refused.headers["retry-after"]) == 1000  # one token at 0.001/s
    # A known key from the same address is not held back by its neighbours' refusals.
    assert outcome(agent.initialize(email("alice"))) == CHALLENGE


def test_a_revoked_key_bites_at_once_and_then_spends_the_addresses_budget(
    make_stack: StackFactory,
) -> None:
    stack = make_stack(auth_failure_per_second=0.001, auth_failure_burst=2)
    key = add_client_key(stack, "radius")
    assert with_key(stack, key).status_code == 200  # known to the worker from now on
    with stack.db.unit_of_work() as uow:
        op = Operator.start(stack.env)
        revoke_authn_key(uow, op, resolve_company(uow, op, "Acme"), "radius")
    assert_unauthorized(with_key(stack, key))
    assert_unauthorized(with_key(stack, key))
    assert_too_many(with_key(stack, key))


@contextmanager
def write_lock_held(stack: Stack) -> Iterator[None]:
    """Another process's write transaction on the SQLite file (readers go on, in WAL mode)."""
    path = stack.settings.database_url.removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unknown_key_is_refused_without_a_write_transaction(stack: Stack) -> None:
    with write_lock_held(stack):
        assert_unauthorized(with_key(stack, random_key()))  # no wait for the write lock
