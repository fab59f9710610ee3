"""New PIN mode over HTTP: a credential without a PIN under ``pinRequired`` — its tokencode alone
opens it (SECURID_NEWPIN), the PIN is stored when accepted, the new PIN and a later tokencode
complete it. Tokencodes from Debian's ``stoken``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.domain.user_events import UserEventReason, UserEventResult
from tests.conftest import Stack
from tests.otp.conftest import stoken  # noqa: F401  (fixture)
from tests.otp.test_otp_stoken_oracle import StokenRunner
from tests.support.authn import (
    CHALLENGE,
    FAIL,
    SUCCESS,
    Agent,
    add_client_key,
    email,
    logged_events,
    offered,
    outcome,
)
from tests.support.pins import OracleToken, first_challenge, require_pins, tenant_token
from tests.support.tenant import CREDENTIAL_DAVE, TOKEN_ALICE, TOKEN_BOB

NUMERIC_PROMPT = {
    "promptResourceId": "SecurID.Resource.Prompt.New.PIN.Numeric",
    "defaultText": (
        "Enter a new PIN of 4 to 8 digits, not one repeated character nor a run of digits "
        "such as 1234:"
    ),
    "formatRegex": "^[0-9]{4,8}$",
    "defaultValue": None,
    "valueBeingDefined": True,
    "sensitive": True,
    "minLength": 4,
    "maxLength": 8,
    "promptArgs": ["4", "8"],
}


@pytest.fixture
def agent(stack: Stack) -> Agent:
    require_pins(stack)
    return Agent(stack, add_client_key(stack))


@pytest.fixture
def alice(stack: Stack, stoken: StokenRunner) -> OracleToken:  # noqa: F811
    return tenant_token(stack, stoken, "alice", TOKEN_ALICE, CredentialKind.SID700)


def results(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["methodId"], r["methodResponseCode"]) for r in answer["credentialValidationResults"]]


def next_minute(stack: Stack) -> None:
    stack.clock.advance(timedelta(minutes=1))


def test_new_pin_mode_then_pin_and_tokencode(
    stack: Stack, agent: Agent, alice: OracleToken
) -> None:
    opened = agent.initialize(email("alice"), "SECURID", alice.code())
    assert outcome(opened) == CHALLENGE
    assert results(opened) == [("SECURID", "CHALLENGE")]
    asked = first_challenge(opened)
    assert (asked["methodId"], asked["displayName"], asked["priority"]) == (
        "SECURID_NEWPIN",
        "New PIN",
        1,
    )
    [version] = asked["versions"]
    assert version["prompt"] == NUMERIC_PROMPT
    assert alice.pin_digest() is None  # nothing is stored before the PIN is accepted

    accepted = agent.verify("SECURID_NEWPIN", "2468")
    assert outcome(accepted) == CHALLENGE
    assert results(accepted) == [("SECURID_NEWPIN", "CHALLENGE")]
    confirm = first_challenge(accepted)
    assert (confirm["methodId"], confirm["displayName"]) == ("SECURID", "RSA SecurID")
    assert confirm["versions"][0]["prompt"]["promptResourceId"] == (
        "SecurID.Resource.Prompt.New.PIN.Accepted"
    )
    assert confirm["versions"][0]["prompt"]["defaultText"].startswith("PIN accepted. Wait")
    assert confirm["versions"][0]["prompt"]["valueBeingDefined"] is False
    assert alice.pin_digest() is not None

    next_minute(stack)
    done = agent.verify("SECURID", "2468" + alice.code())
    assert outcome(done) == SUCCESS
    assert results(done) == [("SECURID", "SUCCESS")]

    next_minute(stack)  # from now on: PIN + tokencode, and nothing else
    assert outcome(agent.initialize(email("alice"), "SECURID", alice.code())) == FAIL
    assert outcome(agent.initialize(email("alice"), "SECURID", "2468" + alice.code())) == SUCCESS

    steps = [(e.event.method, e.event.result, e.event.reason) for e in logged_events(stack)]
    assert steps == [
        ("SECURID", UserEventResult.CHALLENGE, UserEventReason.NEW_PIN_REQUIRED),
        ("SECURID_NEWPIN", UserEventResult.CHALLENGE, UserEventReason.PIN_ACCEPTED),
        ("SECURID", UserEventResult.SUCCESS, UserEventReason.CREDENTIAL_VERIFIED),
        ("SECURID", UserEventResult.FAIL, UserEventReason.WRONG_PIN),
        ("SECURID", UserEventResult.SUCCESS, UserEventReason.CREDENTIAL_VERIFIED),
    ]
    serials = {e.event.credential_serial for e in logged_events(stack) if e.event.result != "FAIL"}
    assert serials == {TOKEN_ALICE}
    assert all("2468" not in repr(e) for e in logged_events(stack))


def test_two_steps_for_a_ds100_credential(
    stack: Stack,
    agent: Agent,
    stoken: StokenRunner,  # noqa: F811
) -> None:
    dave = tenant_token(stack, stoken, "dave", CREDENTIAL_DAVE, CredentialKind.DS100)
    assert offered(agent.initialize(email("dave"))) == ["SECURID"]
    assert first_challenge(agent.verify("SECURID", dave.code()))["methodId"] == "SECURID_NEWPIN"
    assert outcome(agent.verify("SECURID_NEWPIN", " 97531 ")) == CHALLENGE  # blanks around: cut
    next_minute(stack)
    assert outcome(agent.verify("SECURID", "97531" + dave.code())) == SUCCESS
    with stack.client() as api:
        [otp] = api.post("v1/ds100/lookup", json={"deviceSerialNumber": "140100080"}).json()
    assert otp["pinSet"] is True


REFUSED = ["123", "123456789", "12a4", "1111", "1234", "9876", "98765432", "0000", ""]


@pytest.mark.parametrize("pins", [REFUSED[:3], REFUSED[3:6], REFUSED[6:]])
def test_pins_the_policy_refuses_are_asked_again_the_third_time_fail(
    stack: Stack, agent: Agent, alice: OracleToken, pins: list[str]
) -> None:
    opened = agent.initialize(email("alice"), "SECURID", alice.code())
    assert first_challenge(opened)["methodId"] == "SECURID_NEWPIN"
    first, second, third = pins
    for pin in (first, second):
        again = agent.verify("SECURID_NEWPIN", pin)
        assert outcome(again) == CHALLENGE
        prompt = first_challenge(again)["versions"][0]["prompt"]
        assert prompt["promptResourceId"] == "SecurID.Resource.Prompt.New.PIN.Rejected.Numeric"
        assert prompt["defaultText"].startswith("PIN rejected. Enter a new PIN of 4 to 8 digits")
    assert outcome(agent.verify("SECURID_NEWPIN", third)) == FAIL
    assert alice.pin_digest() is None
    reasons = [(e.event.result, e.event.reason) for e in logged_events(stack)][1:]
    assert reasons == [
        (UserEventResult.CHALLENGE, UserEventReason.PIN_REJECTED),
        (UserEventResult.CHALLENGE, UserEventReason.PIN_REJECTED),
        (UserEventResult.FAIL, UserEventReason.PIN_REJECTED),
    ]
    with stack.db.unit_of_work() as uow:
        user = uow.users.get(stack.tenant.company_id, stack.tenant.user("alice"))
    assert user is not None and user.authn_lockout.failures == 0  # no guess at a secret
    next_minute(stack)  # the credential is still in New PIN mode
    assert first_challenge(agent.initialize(email("alice"), "SECURID", alice.code()))[
        "methodId"
    ] == ("SECURID_NEWPIN")


def test_alphanumeric_policy_and_its_lengths(
    stack: Stack, agent: Agent, alice: OracleToken
) -> None:
    require_pins(stack, min_length=6, max_length=6, alphanumeric=True)
    prompt = first_challenge(agent.initialize(email("alice"), "SECURID", alice.code()))["versions"][
        0
    ]["prompt"]
    assert prompt["promptResourceId"] == "SecurID.Resource.Prompt.New.PIN.Alphanumeric"
    assert (prompt["formatRegex"], prompt["minLength"], prompt["maxLength"]) == (
        "^[A-Za-z0-9]{6,6}$",
        6,
        6,
    )
    assert prompt["defaultText"].startswith("Enter a new PIN of 6 to 6 letters or digits")
    assert outcome(agent.verify("SECURID_NEWPIN", "ab12c")) == CHALLENGE  # too short
    assert outcome(agent.verify("SECURID_NEWPIN", "ab12CD")) == CHALLENGE
    next_minute(stack)
    assert outcome(agent.verify("SECURID", "AB12CD" + alice.code())) == FAIL  # case matters
    assert outcome(agent.initialize(email("alice"), "SECURID", "ab12CD" + alice.code())) == SUCCESS


def test_the_new_pin_needs_a_later_tokencode(
    stack: Stack, agent: Agent, alice: OracleToken
) -> None:
    opening = alice.code()
    agent.initialize(email("alice"), "SECURID", opening)
    assert outcome(agent.verify("SECURID_NEWPIN", "8642")) == CHALLENGE
    assert outcome(agent.verify("SECURID", "8642" + opening)) == FAIL
    assert logged_events(stack)[-1].event.reason is UserEventReason.REPLAYED_TOKENCODE
    assert alice.pin_digest() is not None  # the PIN stays: it was accepted
    next_minute(stack)
    assert outcome(agent.initialize(email("alice"), "SECURID", "8642" + alice.code())) == SUCCESS


def test_only_the_credential_in_new_pin_mode_completes_it(
    stack: Stack,
    agent: Agent,
    stoken: StokenRunner,  # noqa: F811
) -> None:
    bob = tenant_token(stack, stoken, "bob", TOKEN_BOB, CredentialKind.SID700)
    with stack.db.unit_of_work() as uow:
        [device] = uow.ds100.devices_of(stack.tenant.company_id, stack.tenant.user("bob"))
        [otp] = uow.ds100.credentials(device.serial)
    bob_ds100 = tenant_token(stack, stoken, "bob", otp.serial, CredentialKind.DS100)
    agent.initialize(email("bob"), "SECURID", bob.code())
    assert outcome(agent.verify("SECURID_NEWPIN", "5791")) == CHALLENGE
    next_minute(stack)
    # The DS100 credential has no PIN: "5791" + its code is no passcode of the SID700 token.
    assert outcome(agent.verify("SECURID", "5791" + bob_ds100.code())) == FAIL
    assert outcome(agent.initialize(email("bob"), "SECURID", "5791" + bob.code())) == SUCCESS
    assert bob_ds100.pin_digest() is None


def test_a_drifted_token_gives_its_next_tokencode_before_new_pin_mode(
    stack: Stack, agent: Agent, alice: OracleToken
) -> None:
    drifted = agent.initialize(email("alice"), "SECURID", alice.code(2))
    assert first_challenge(drifted)["methodId"] == "SECURID_NEXT_TOKENCODE"
    after_next = agent.verify("SECURID_NEXT_TOKENCODE", alice.code(3))
    assert first_challenge(after_next)["methodId"] == "SECURID_NEWPIN"
    assert outcome(agent.verify("SECURID_NEWPIN", "3579")) == CHALLENGE
    # The token's clock is learned (+3): its next code is one interval ahead of that.
    assert outcome(agent.verify("SECURID", "3579" + alice.code(4))) == SUCCESS


def test_a_step_takes_only_its_own_method(stack: Stack, agent: Agent, alice: OracleToken) -> None:
    agent.initialize(email("alice"), "SECURID", alice.code())
    assert outcome(agent.verify("SECURID", "2468" + alice.code(1))) == FAIL
    assert alice.pin_digest() is None
    next_minute(stack)
    assert outcome(agent.initialize(email("alice"), "SECURID_NEWPIN", "2468")) == FAIL
    assert alice.pin_digest() is None
    reasons = [e.event.reason for e in logged_events(stack)]
    assert reasons[1:] == [UserEventReason.METHOD_NOT_SUPPORTED] * 2


def test_the_attempts_expiry_bounds_the_exchange(
    stack: Stack, agent: Agent, alice: OracleToken
) -> None:
    opened = agent.initialize(email("alice"), "SECURID", alice.code(), authnAttemptTimeout=60)
    assert outcome(opened) == CHALLENGE
    stack.clock.advance(timedelta(seconds=60))
    assert outcome(agent.verify("SECURID_NEWPIN", "2468")) == FAIL
    assert alice.pin_digest() is None
    assert logged_events(stack)[-1].event.reason is UserEventReason.ATTEMPT_EXPIRED
