"""SECURID passcodes with PINs: with a PIN set only that PIN followed by a valid tokencode
succeeds; anything else is the uniform FAIL, counted toward both lockouts. Tokencodes from
Debian's ``stoken``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.domain.user_events import UserEventReason
from tests.conftest import Stack
from tests.otp.conftest import stoken  # noqa: F401  (fixture)
from tests.otp.test_otp_stoken_oracle import StokenRunner
from tests.support.authenticators import set_credential_pin, set_token_pin
from tests.support.authn import (
    FAIL,
    SUCCESS,
    Agent,
    add_client_key,
    credential,
    email,
    logged_events,
    outcome,
)
from tests.support.pins import (
    OracleToken,
    first_challenge,
    new_user_token,
    require_pins,
    tenant_token,
)
from tests.support.tenant import CREDENTIAL_DAVE, DEVICE_SPARE_OWNER_BOB, TOKEN_ALICE, TOKEN_BOB

PIN = "2580"


@pytest.fixture
def agent(stack: Stack) -> Agent:
    return Agent(stack, add_client_key(stack))


@pytest.fixture
def alice(stack: Stack, stoken: StokenRunner) -> OracleToken:  # noqa: F811
    set_token_pin(stack, TOKEN_ALICE, PIN)
    return tenant_token(stack, stoken, "alice", TOKEN_ALICE, CredentialKind.SID700)


def without_ids(answer: dict[str, Any]) -> dict[str, Any]:
    return {**answer, "context": None}


@pytest.mark.parametrize("required", [True, False])
def test_only_the_pin_followed_by_the_tokencode_succeeds(
    stack: Stack, agent: Agent, alice: OracleToken, required: bool
) -> None:
    require_pins(stack, required=required)  # a PIN that is set is needed either way
    assert outcome(agent.initialize(email("alice"), "SECURID", PIN + alice.code())) == SUCCESS
    stack.clock.advance(timedelta(minutes=1))
    code = alice.code()
    wrong_code = agent.initialize(email("alice"), "SECURID", PIN + f"{(int(code) + 1) % 10**6:06d}")
    for passcode in (code, "2581" + code, "1234" + code, "zz99ZZ99" + code, "02580" + code):
        answer = agent.initialize(email("alice"), "SECURID", passcode)
        assert without_ids(answer) == without_ids(wrong_code), passcode  # the one FAIL body
    reasons = [e.event.reason for e in logged_events(stack)]
    assert reasons == [
        UserEventReason.CREDENTIAL_VERIFIED,
        UserEventReason.WRONG_CREDENTIAL,
        *[UserEventReason.WRONG_PIN] * 5,
    ]


def test_verify_takes_the_pin_too_and_a_next_tokencode_none(
    stack: Stack, agent: Agent, alice: OracleToken
) -> None:
    agent.initialize(email("alice"))
    assert outcome(agent.verify("SECURID", "9999" + alice.code())) == FAIL
    agent.initialize(email("alice"))
    assert outcome(agent.verify("SECURID", PIN + alice.code())) == SUCCESS
    # Drifted: PIN + code asks for the next tokencode, which comes alone.
    drifted = agent.initialize(email("alice"), "SECURID", PIN + alice.code(2))
    assert first_challenge(drifted)["methodId"] == "SECURID_NEXT_TOKENCODE"
    assert outcome(agent.verify("SECURID_NEXT_TOKENCODE", PIN + alice.code(3))) == FAIL
    drifted = agent.initialize(email("alice"), "SECURID", PIN + alice.code(3))
    assert first_challenge(drifted)["methodId"] == "SECURID_NEXT_TOKENCODE"
    assert outcome(agent.verify("SECURID_NEXT_TOKENCODE", alice.code(4))) == SUCCESS


def test_a_wrong_pin_counts_toward_both_lockouts_and_spends_nothing(
    stack: Stack, agent: Agent, alice: OracleToken
) -> None:
    code = alice.code()
    assert outcome(agent.initialize(email("alice"), "SECURID", "1357" + code)) == FAIL
    assert credential(stack, "alice", TOKEN_ALICE).state.lockout.failures == 1
    with stack.db.unit_of_work() as uow:
        user = uow.users.get(stack.tenant.company_id, stack.tenant.user("alice"))
    assert user is not None and user.authn_lockout.failures == 1
    # A refused passcode spends no tokencode (as a wrong code does not).
    assert outcome(agent.initialize(email("alice"), "SECURID", PIN + code)) == SUCCESS
    stack.clock.advance(timedelta(minutes=1))
    for _ in range(10):
        agent.initialize(email("alice"), "SECURID", "1357" + alice.code())
    assert credential(stack, "alice", TOKEN_ALICE).state.lockout.locked_until is not None
    assert outcome(agent.initialize(email("alice"), "SECURID", PIN + alice.code())) == FAIL
    assert logged_events(stack)[-1].event.reason is UserEventReason.USER_LOCKED


def test_without_pin_required_no_pin_takes_the_tokencode_alone(
    stack: Stack,
    agent: Agent,
    stoken: StokenRunner,  # noqa: F811
) -> None:
    require_pins(stack, required=False)
    eve = new_user_token(stack, stoken, "eve")
    assert outcome(agent.initialize(email("eve"), "SECURID", "2580" + eve.code())) == FAIL
    assert outcome(agent.initialize(email("eve"), "SECURID", eve.code())) == SUCCESS
    assert eve.pin_digest() is None  # and no New PIN mode


def test_a_user_with_several_credentials(
    stack: Stack,
    agent: Agent,
    stoken: StokenRunner,  # noqa: F811
) -> None:
    require_pins(stack)
    set_token_pin(stack, TOKEN_BOB, "1357")
    token = tenant_token(stack, stoken, "bob", TOKEN_BOB, CredentialKind.SID700)
    with stack.db.unit_of_work() as uow:
        [otp] = uow.ds100.credentials(DEVICE_SPARE_OWNER_BOB)
    ds100 = tenant_token(stack, stoken, "bob", otp.serial, CredentialKind.DS100)
    assert outcome(agent.initialize(email("bob"), "SECURID", token.code())) == FAIL
    assert outcome(agent.initialize(email("bob"), "SECURID", "1357" + ds100.code())) == FAIL
    assert outcome(agent.initialize(email("bob"), "SECURID", "1357" + token.code())) == SUCCESS
    opened = agent.initialize(email("bob"), "SECURID", ds100.code())
    assert first_challenge(opened)["methodId"] == "SECURID_NEWPIN"


def test_an_eight_digit_token_and_a_pin_set_under_another_policy(
    stack: Stack,
    agent: Agent,
    stoken: StokenRunner,  # noqa: F811
) -> None:
    eight = new_user_token(stack, stoken, "eve", digits=8)
    set_token_pin(stack, eight.serial, "A1b2")  # chosen when PINs could hold letters
    require_pins(stack, min_length=6)  # digits only, 6 to 8: the PIN that is set still works
    assert outcome(agent.initialize(email("eve"), "SECURID", "A1b2" + eight.code())) == SUCCESS
    dave = tenant_token(stack, stoken, "dave", CREDENTIAL_DAVE, CredentialKind.DS100)
    set_credential_pin(stack, CREDENTIAL_DAVE, "8520")
    assert outcome(agent.initialize(email("dave"), "SECURID", dave.code())) == FAIL
    assert outcome(agent.initialize(email("dave"), "SECURID", "8520" + dave.code())) == SUCCESS
