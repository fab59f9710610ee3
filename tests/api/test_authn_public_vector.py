"""The public vector of authn-reference.md, verified over HTTP at its own moment: seed
0f3f7439c2f122e0443ca8ea9bc263a7, serial 530965299048, t=1700000000 → 19602005 (6 digits:
the last six)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mfadesk.services.provisioning import (
    Operator,
    TokenSeed,
    add_hardware_token,
    add_user,
    ensure_company,
)
from tests.conftest import Stack
from tests.support.authn import Agent, add_client_key, email, outcome
from tests.support.clock import MutableClock

SEED = bytes.fromhex("0f3f7439c2f122e0443ca8ea9bc263a7")
SERIAL = "530965299048"


@pytest.fixture
def clock() -> MutableClock:
    """The server's clock stands at the vector's moment."""
    return MutableClock(datetime.fromtimestamp(1700000000, tz=UTC))


@pytest.mark.parametrize(("digits", "passcode"), [(6, "602005"), (8, "19602005")])
def test_public_vector_is_accepted_at_its_time(stack: Stack, digits: int, passcode: str) -> None:
    with stack.db.unit_of_work() as uow:
        op = Operator.start(stack.env)
        company = ensure_company(uow, op, "Acme")
        add_user(uow, op, company, email("vector"))
        token = TokenSeed(SEED, digits=digits)
        add_hardware_token(uow, op, company, SERIAL, email("vector"), token)
    agent = Agent(stack, add_client_key(stack))
    assert outcome(agent.initialize(email("vector"), "SECURID", "00" + passcode[2:])) == (
        "FAIL",
        "VERIFY_ERROR",
    )
    assert outcome(agent.initialize(email("vector"), "SECURID", passcode)) == (
        "SUCCESS",
        "CREDENTIAL_VERIFIED",
    )
    stack.clock.advance(timedelta(minutes=5))  # a token accepts each code once, whenever
    assert outcome(agent.initialize(email("vector"), "SECURID", passcode)) == (
        "FAIL",
        "VERIFY_ERROR",
    )
