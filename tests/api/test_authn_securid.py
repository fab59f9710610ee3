"""SECURID and SECURID_NEXT_TOKENCODE over real HTTP: what admin changes do to them, replay,
clock drift, next tokencode mode and lockout."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text

from mfadesk.domain.user_events import UserEventReason, UserEventResult
from mfadesk.otp.tokencodes import TokenGenerator
from mfadesk.services.provisioning import Operator, add_user, ensure_company
from tests.conftest import Stack, StackFactory
from tests.support.authenticators import set_token_pin
from tests.support.authn import (
    CHALLENGE,
    FAIL,
    SUCCESS,
    Agent,
    add_client_key,
    add_seeded_token,
    alice_code,
    code_at,
    credential,
    email,
    logged_events,
    offered,
    outcome,
)
from tests.support.tenant import CREDENTIAL_DAVE, DEVICE_DAVE, TOKEN_ALICE


@pytest.fixture
def agent(stack: Stack) -> Agent:
    return Agent(stack, add_client_key(stack))


def test_one_step_securid_success_body(stack: Stack, agent: Agent) -> None:
    answer = agent.initialize(email("alice"), "SECURID", alice_code(stack))
    assert answer == {
        "context": {
            "authnAttemptId": answer["context"]["authnAttemptId"],
            "messageId": answer["context"]["messageId"],
            "inResponseTo": answer["context"]["inResponseTo"],
        },
        "credentialValidationResults": [
            {
                "methodId": "SECURID",
                "methodResponseCode": "SUCCESS",
                "methodReasonCode": "CREDENTIAL_VERIFIED",
                "authnAttributes": [],
            }
        ],
        "attemptResponseCode": "SUCCESS",
        "attemptReasonCode": "CREDENTIAL_VERIFIED",
        "challengeMethods": {"challenges": []},
    }
    assert len(answer["context"]["authnAttemptId"]) == 36
    assert answer["context"]["messageId"] != answer["context"]["inResponseTo"]


def test_pin_prefix_user_id_subject_and_ds100(stack: Stack, agent: Agent) -> None:
    # alice's token has no PIN (the tenant's PINs are optional): a PIN in front is wrong, no
    # longer ignored (test_authn_pins.py has the rest).
    assert outcome(agent.initialize(email("alice"), "SECURID", "1357" + alice_code(stack))) == FAIL
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == SUCCESS
    stack.clock.advance(timedelta(minutes=1))
    by_id = agent.initialize(stack.tenant.user("alice"), "SECURID", alice_code(stack))
    assert outcome(by_id) == SUCCESS
    dave = code_at(stack, "dave", CREDENTIAL_DAVE)
    assert outcome(agent.initialize(email("dave").upper(), "SECURID", dave)) == SUCCESS


@pytest.mark.parametrize("passcode", ["", "12345", "abcdef", "12-345678", "123456789012345"])
def test_garbage_passcodes_fail(stack: Stack, agent: Agent, passcode: str) -> None:
    assert outcome(agent.initialize(email("alice"), "SECURID", passcode)) == FAIL


def test_disable_token_fails_then_enable_succeeds(stack: Stack, agent: Agent) -> None:
    alice = stack.tenant.user("alice")
    code = alice_code(stack)
    with stack.client("helpdesk") as admin:
        disabled = admin.patch(
            f"v1/users/{alice}/sidTokens/disable", json={"tokenSerialNumber": TOKEN_ALICE}
        )
        assert disabled.status_code == 200
        failed = agent.initialize(email("alice"), "SECURID", code)
        assert outcome(failed) == FAIL
        assert failed["credentialValidationResults"][0]["methodResponseCode"] == "FAIL"
        assert offered(agent.initialize(email("alice"))) == []
        enabled = admin.patch(
            f"v1/users/{alice}/sidTokens/enable", json={"tokenSerialNumber": TOKEN_ALICE}
        )
        assert enabled.status_code == 200
    assert outcome(agent.initialize(email("alice"), "SECURID", code)) == SUCCESS


def test_disable_ds100_credential_fails_then_enable_succeeds(stack: Stack, agent: Agent) -> None:
    body = {"deviceSerialNumber": DEVICE_DAVE, "userId": stack.tenant.user("dave")}
    code = code_at(stack, "dave", CREDENTIAL_DAVE)
    with stack.client() as admin:
        assert admin.patch("v1/ds100/disable/otp", json=body).status_code == 200
        assert outcome(agent.initialize(email("dave"), "SECURID", code)) == FAIL
        assert admin.patch("v1/ds100/enable/otp", json=body).status_code == 200
    assert outcome(agent.initialize(email("dave"), "SECURID", code)) == SUCCESS


def test_a_tokencode_is_accepted_once(stack: Stack, agent: Agent) -> None:
    code = alice_code(stack)
    assert outcome(agent.initialize(email("alice"), "SECURID", code)) == SUCCESS
    assert outcome(agent.initialize(email("alice"), "SECURID", code)) == FAIL
    earlier = alice_code(stack, -1)  # before the accepted interval: refused as well
    assert outcome(agent.initialize(email("alice"), "SECURID", earlier)) == FAIL
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack, 1))) == SUCCESS
    reasons = [e.event.reason for e in logged_events(stack)]
    assert reasons == [
        UserEventReason.CREDENTIAL_VERIFIED,
        UserEventReason.REPLAYED_TOKENCODE,
        UserEventReason.REPLAYED_TOKENCODE,
        UserEventReason.CREDENTIAL_VERIFIED,
    ]


@pytest.mark.parametrize("intervals", [-1, 1])
def test_one_interval_of_drift_is_accepted_and_learned(
    stack: Stack, agent: Agent, intervals: int
) -> None:
    assert (
        outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack, intervals)))
        == SUCCESS
    )
    assert credential(stack, "alice", TOKEN_ALICE).state.offset == intervals


@pytest.mark.parametrize("intervals", [-3, -2, 2, 3])
def test_drift_up_to_three_intervals_asks_for_the_next_tokencode(
    stack: Stack, agent: Agent, intervals: int
) -> None:
    answer = agent.initialize(email("alice"), "SECURID", alice_code(stack, intervals))
    assert outcome(answer) == CHALLENGE
    assert answer["credentialValidationResults"][0]["methodResponseCode"] == "CHALLENGE"
    assert offered(answer) == ["SECURID_NEXT_TOKENCODE"]
    method = answer["challengeMethods"]["challenges"][0]["requiredMethods"][0]
    assert method["versions"][0]["prompt"]["promptResourceId"] == (
        "SecurID.Resource.Prompt.Next.Tokencode"
    )
    stack.clock.advance(timedelta(minutes=1))  # the user waits for the token to change
    done = agent.verify("SECURID_NEXT_TOKENCODE", alice_code(stack, intervals))
    assert outcome(done) == SUCCESS
    assert credential(stack, "alice", TOKEN_ALICE).state.offset == intervals
    # The drift is learned: the token's own next code is now accepted in one step.
    stack.clock.advance(timedelta(minutes=1))
    assert (
        outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack, intervals)))
        == SUCCESS
    )


def test_wrong_next_tokencode_fails_the_attempt(stack: Stack, agent: Agent) -> None:
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack, 2))) == CHALLENGE
    # The same code again, or one that is not the next, is refused.
    assert outcome(agent.verify("SECURID_NEXT_TOKENCODE", alice_code(stack, 2))) == FAIL
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack, 2))) == FAIL
    assert credential(stack, "alice", TOKEN_ALICE).state.offset == 0


def test_next_tokencode_only_answers_a_next_tokencode_challenge(stack: Stack, agent: Agent) -> None:
    assert outcome(agent.initialize(email("alice"))) == CHALLENGE
    assert outcome(agent.verify("SECURID_NEXT_TOKENCODE", alice_code(stack))) == FAIL
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack, 3))) == CHALLENGE
    assert outcome(agent.verify("SECURID", alice_code(stack, 1))) == FAIL


@pytest.mark.parametrize("intervals", [-4, 4, 10])
def test_codes_beyond_three_intervals_fail(stack: Stack, agent: Agent, intervals: int) -> None:
    assert (
        outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack, intervals))) == FAIL
    )


def test_unassigned_tokens_and_disabled_or_deleted_users_cannot_authenticate(
    stack: Stack, agent: Agent
) -> None:
    seed = secrets.token_bytes(16)
    add_seeded_token(stack, "000300000001", None, seed)  # unassigned (and Disabled)
    spare = TokenGenerator(seed, "000300000001").at(stack.clock())
    with stack.db.unit_of_work() as uow:
        add_user(
            uow,
            Operator.start(stack.env),
            ensure_company(uow, Operator.start(stack.env), "Acme"),
            email("erin"),
        )
    assert outcome(agent.initialize(email("carol"))) == FAIL  # disabled user
    assert outcome(agent.initialize(email("erin"), "SECURID", spare)) == FAIL
    assert outcome(agent.initialize(email("alice"), "SECURID", spare)) == FAIL
    assert outcome(agent.initialize("nobody@acme.example", "SECURID", alice_code(stack))) == FAIL
    with stack.db.unit_of_work() as uow:
        alice = uow.users.get(stack.tenant.company_id, stack.tenant.user("alice"))
        assert alice is not None
        uow.users.save(replace(alice, mark_deleted=True))
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == FAIL
    reasons = [e.event.reason for e in logged_events(stack)]
    assert reasons == [
        UserEventReason.USER_DISABLED,
        UserEventReason.NO_USABLE_CREDENTIAL,
        UserEventReason.WRONG_CREDENTIAL,
        UserEventReason.USER_NOT_FOUND,
        UserEventReason.USER_DELETED,
    ]


def test_expired_token_fails(stack: Stack, agent: Agent) -> None:
    with stack.db.engine.begin() as connection:
        connection.execute(
            text("UPDATE hardware_tokens SET expiry_date = :d WHERE serial = :s"),
            {"d": (stack.clock() - timedelta(days=1)).date(), "s": TOKEN_ALICE},
        )
    assert offered(agent.initialize(email("alice"))) == []
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == FAIL


def test_repeated_failures_require_the_next_tokencode(stack: Stack, agent: Agent) -> None:
    for _ in range(3):
        assert outcome(agent.initialize(email("alice"), "SECURID", "000000")) == FAIL
    answer = agent.initialize(email("alice"), "SECURID", alice_code(stack))
    assert outcome(answer) == CHALLENGE
    assert offered(answer) == ["SECURID_NEXT_TOKENCODE"]
    stack.clock.advance(timedelta(minutes=1))
    assert outcome(agent.verify("SECURID_NEXT_TOKENCODE", alice_code(stack))) == SUCCESS
    assert credential(stack, "alice", TOKEN_ALICE).state.lockout.failures == 0


def test_lockout_after_ten_failures_until_an_admin_enables(stack: Stack, agent: Agent) -> None:
    for _ in range(10):
        assert outcome(agent.initialize(email("alice"), "SECURID", "999999")) == FAIL
    locked = agent.initialize(email("alice"), "SECURID", alice_code(stack))
    assert outcome(locked) == FAIL  # the right code, answered exactly like a wrong one
    assert locked["credentialValidationResults"][0]["methodResponseCode"] == "FAIL"
    # The user reached the limit with the token: the user's lock answers first.
    assert logged_events(stack)[-1].event.reason is UserEventReason.USER_LOCKED
    assert credential(stack, "alice", TOKEN_ALICE).state.lockout.failures == 10
    alice = stack.tenant.user("alice")
    with stack.client("helpdesk") as admin:  # enabling an enabled token clears its lockout
        again = admin.patch(
            f"v1/users/{alice}/sidTokens/enable", json={"tokenSerialNumber": TOKEN_ALICE}
        )
    assert again.status_code == 200
    assert again.json()["tokenStatusChangedBy"] == "operator"  # the status itself did not change
    assert stack.audit_events()[-1].event.message.endswith("failed authentications cleared")
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == SUCCESS


def test_ds100_lockout_cleared_by_enable(stack: Stack, agent: Agent) -> None:
    for _ in range(10):
        agent.initialize(email("dave"), "SECURID", "999999")
    code = code_at(stack, "dave", CREDENTIAL_DAVE)
    assert outcome(agent.initialize(email("dave"), "SECURID", code)) == FAIL
    body = {"deviceSerialNumber": DEVICE_DAVE, "userId": stack.tenant.user("dave")}
    with stack.client() as admin:
        assert admin.patch("v1/ds100/enable/otp", json=body).status_code == 200
    assert outcome(agent.initialize(email("dave"), "SECURID", code)) == SUCCESS


def test_lockout_ends_after_the_configured_time(make_stack: StackFactory) -> None:
    stack = make_stack(authn_lockout_failures=3, authn_lockout_minutes=5)
    agent = Agent(stack, add_client_key(stack))
    for _ in range(3):
        agent.initialize(email("alice"), "SECURID", "999999")
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == FAIL
    stack.clock.advance(timedelta(minutes=4, seconds=59))
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == FAIL
    stack.clock.advance(timedelta(seconds=1))
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == SUCCESS


def test_steps_are_logged_without_codes(stack: Stack, agent: Agent) -> None:
    set_token_pin(stack, TOKEN_ALICE, "4321")
    code = "4321" + alice_code(stack)
    agent.initialize(email("alice"), "SECURID", code, clientId="vpn-gateway")
    [stored] = logged_events(stack)
    event = stored.event
    assert (event.result, event.reason, event.method) == (
        UserEventResult.SUCCESS,
        UserEventReason.CREDENTIAL_VERIFIED,
        "SECURID",
    )
    assert (event.user_id, event.subject_name, event.credential_serial) == (
        stack.tenant.user("alice"),
        email("alice"),
        TOKEN_ALICE,
    )
    assert (event.client_id, event.authn_key_name, event.source_ip) == (
        "vpn-gateway",
        "agent",
        "127.0.0.1",
    )
    assert event.occurred_at == stack.clock()
    assert code not in repr(stored) and alice_code(stack) not in repr(stored)
