"""Codes from Debian's ``stoken`` (an independent implementation) for seeds the test makes,
verified over HTTP at the server's (injected) time: accepted within ±1 interval, a next
tokencode challenge up to ±3, refused one interval beyond."""

from __future__ import annotations

import secrets

import pytest

from mfadesk.services.provisioning import Operator, add_user, ensure_company
from tests.conftest import Stack
from tests.otp.conftest import stoken  # noqa: F401  (fixture)
from tests.otp.test_otp_stoken_oracle import StokenRunner, ctf_string, random_serial
from tests.support.authn import Agent, add_client_key, add_seeded_token, email, outcome

EXPECTED = {
    -4: "FAIL",
    -3: "CHALLENGE",
    -2: "CHALLENGE",
    -1: "SUCCESS",
    0: "SUCCESS",
    1: "SUCCESS",
    2: "CHALLENGE",
    3: "CHALLENGE",
    4: "FAIL",
}


@pytest.mark.slow
def test_stoken_codes_are_judged_by_their_interval(stack: Stack, stoken: StokenRunner) -> None:  # noqa: F811
    agent = Agent(stack, add_client_key(stack))
    now = int(stack.clock().timestamp())
    results: dict[int, str] = {}
    for intervals in EXPECTED:
        name = f"user{intervals + 10}"
        with stack.db.unit_of_work() as uow:
            op = Operator.start(stack.env)
            add_user(uow, op, ensure_company(uow, op, "Acme"), email(name))
        seed, serial = secrets.token_bytes(16), random_serial()
        add_seeded_token(stack, serial, name, seed)
        code = stoken(
            "tokencode",
            f"--token={ctf_string(seed, serial, 6, 60)}",
            f"--use-time={now + 60 * intervals}",
            "--force",
        ).strip()
        assert len(code) == 6
        results[intervals] = outcome(agent.initialize(email(name), "SECURID", code))[0]
    assert results == EXPECTED
