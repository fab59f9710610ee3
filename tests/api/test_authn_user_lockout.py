"""Failures counted per user across methods: the lock, what ends it, and an exact count under
concurrent verifications."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx

from mfadesk.domain.lockout import Lockout
from mfadesk.domain.user_events import UserEventReason
from tests.conftest import Stack, StackFactory
from tests.support.authn import (
    AUTHN,
    CHALLENGE,
    FAIL,
    SUCCESS,
    Agent,
    add_client_key,
    alice_code,
    code_at,
    credential,
    credentials,
    email,
    logged_events,
    outcome,
)
from tests.support.tenant import CREDENTIAL_DAVE, DEVICE_DAVE, TOKEN_ALICE, TOKEN_BOB

EMERGENCY = "EMERGENCY_TOKENCODE"
WRONG_CODE = "000000"
WRONG_EMERGENCY = "22222222"


def user_lockout(stack: Stack, name: str) -> Lockout:
    with stack.db.unit_of_work() as uow:
        user = uow.users.get(stack.tenant.company_id, stack.tenant.user(name))
    assert user is not None
    return user.authn_lockout


def issue(stack: Stack, name: str, admin: str = "super") -> str:
    with stack.client(admin) as api:
        response = api.put(
            f"v1/users/{stack.tenant.user(name)}/emergencyTokencode", json={"expirationDays": "1"}
        )
    assert response.status_code == 200, response.text
    code: str = response.json()["emergencyTokencode"]
    return code


def last_reason(stack: Stack) -> UserEventReason:
    return logged_events(stack)[-1].event.reason


def body(answer: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in answer.items() if name != "context"}


def test_failures_of_all_methods_count_towards_one_lock(make_stack: StackFactory) -> None:
    stack = make_stack(authn_lockout_failures=4)
    agent = Agent(stack, add_client_key(stack))
    emergency = issue(stack, "alice")
    wrong = agent.initialize(email("alice"), "SECURID", WRONG_CODE)
    agent.initialize(email("alice"), "SECURID", WRONG_CODE)
    agent.initialize(email("alice"), EMERGENCY, WRONG_EMERGENCY)
    assert user_lockout(stack, "alice").failures == 3
    # A next tokencode nobody asked for and a method we lack are no guesses at a credential.
    agent.initialize(email("alice"), "SECURID_NEXT_TOKENCODE", "123456")
    agent.initialize(email("alice"), "FIDO", "x")
    assert user_lockout(stack, "alice").failures == 3
    agent.initialize(email("alice"))
    assert outcome(agent.verify(EMERGENCY, WRONG_EMERGENCY)) == FAIL
    assert user_lockout(stack, "alice") == Lockout(4, stack.clock() + timedelta(minutes=15))
    # Neither credential reached the limit on its own, yet nothing gets in now.
    assert credential(stack, "alice", TOKEN_ALICE).state.lockout.failures == 2
    right = agent.initialize(email("alice"), "SECURID", alice_code(stack))
    assert body(right) == body(wrong)
    assert last_reason(stack) is UserEventReason.USER_LOCKED
    assert outcome(agent.initialize(email("alice"), EMERGENCY, emergency)) == FAIL
    assert last_reason(stack) is UserEventReason.USER_LOCKED
    # What is refused while locked is not checked: the credentials' counts stay as they were.
    assert credential(stack, "alice", TOKEN_ALICE).state.lockout.failures == 2
    assert user_lockout(stack, "alice").failures == 4
    # The lock is the user's: others are not concerned.
    dave = code_at(stack, "dave", CREDENTIAL_DAVE)
    assert outcome(agent.initialize(email("dave"), "SECURID", dave)) == SUCCESS


def test_a_success_starts_the_count_afresh(make_stack: StackFactory) -> None:
    stack = make_stack(authn_lockout_failures=4)
    agent = Agent(stack, add_client_key(stack))
    for _ in range(3):
        agent.initialize(email("alice"), "SECURID", WRONG_CODE)
    answer = agent.initialize(email("alice"), "SECURID", alice_code(stack))
    assert outcome(answer) == CHALLENGE  # after 3 failures the token wants the next code
    assert user_lockout(stack, "alice").failures == 3  # a challenge is no success yet
    stack.clock.advance(timedelta(minutes=1))
    assert outcome(agent.verify("SECURID_NEXT_TOKENCODE", alice_code(stack))) == SUCCESS
    assert user_lockout(stack, "alice") == Lockout()
    for _ in range(3):  # alice has no emergency tokencode: a failure all the same
        agent.initialize(email("alice"), EMERGENCY, WRONG_EMERGENCY)
    assert user_lockout(stack, "alice").failures == 3
    stack.clock.advance(timedelta(minutes=1))
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == SUCCESS
    assert user_lockout(stack, "alice") == Lockout()


def test_the_lock_ends_after_the_configured_time(make_stack: StackFactory) -> None:
    stack = make_stack(authn_lockout_failures=3, authn_lockout_minutes=5)
    agent = Agent(stack, add_client_key(stack))
    issue(stack, "alice")
    agent.initialize(email("alice"), "SECURID", WRONG_CODE)
    agent.initialize(email("alice"), "SECURID", WRONG_CODE)
    agent.initialize(email("alice"), EMERGENCY, WRONG_EMERGENCY)
    stack.clock.advance(timedelta(minutes=4, seconds=59))
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == FAIL
    assert last_reason(stack) is UserEventReason.USER_LOCKED
    stack.clock.advance(timedelta(seconds=1))
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == SUCCESS
    assert user_lockout(stack, "alice") == Lockout()


def test_without_a_lock_time_an_enable_of_a_token_clears_the_lock(
    make_stack: StackFactory,
) -> None:
    stack = make_stack(authn_lockout_failures=3, authn_lockout_minutes=0)
    agent = Agent(stack, add_client_key(stack))
    issue(stack, "alice")
    for _ in range(3):  # the emergency code's failures alone: the token has none
        agent.initialize(email("alice"), EMERGENCY, WRONG_EMERGENCY)
    assert user_lockout(stack, "alice") == Lockout(3, None)
    stack.clock.advance(timedelta(days=30))
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == FAIL
    with stack.client("helpdesk") as admin:
        again = admin.patch(
            f"v1/users/{stack.tenant.user('alice')}/sidTokens/enable",
            json={"tokenSerialNumber": TOKEN_ALICE},
        )
    assert again.status_code == 200, again.text
    assert stack.audit_events()[-1].event.message.endswith("failed authentications cleared")
    assert user_lockout(stack, "alice") == Lockout()
    stack.clock.advance(timedelta(minutes=1))
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == SUCCESS


def test_an_enable_that_is_refused_clears_nothing(make_stack: StackFactory) -> None:
    stack = make_stack(authn_lockout_failures=2)
    agent = Agent(stack, add_client_key(stack))
    for _ in range(2):
        agent.initialize(email("alice"), "SECURID", WRONG_CODE)
    with stack.client("helpdesk") as admin:  # bob's token is not alice's: refused, rolled back
        refused = admin.patch(
            f"v1/users/{stack.tenant.user('alice')}/sidTokens/enable",
            json={"tokenSerialNumber": TOKEN_BOB},
        )
    assert refused.status_code == 409, refused.text
    assert user_lockout(stack, "alice").failures == 2


def test_an_enable_of_a_ds100_device_clears_the_lock(make_stack: StackFactory) -> None:
    stack = make_stack(authn_lockout_failures=3)
    agent = Agent(stack, add_client_key(stack))
    issue(stack, "dave")
    for _ in range(3):
        agent.initialize(email("dave"), EMERGENCY, WRONG_EMERGENCY)
    code = code_at(stack, "dave", CREDENTIAL_DAVE)
    assert outcome(agent.initialize(email("dave"), "SECURID", code)) == FAIL
    body = {"deviceSerialNumber": DEVICE_DAVE, "userId": stack.tenant.user("dave")}
    with stack.client() as admin:
        assert admin.patch("v1/ds100/enable/otp", json=body).status_code == 200
    assert stack.audit_events()[-1].event.message.endswith("failed authentications cleared")
    assert outcome(agent.initialize(email("dave"), "SECURID", code)) == SUCCESS


def test_a_new_emergency_tokencode_clears_the_lock(make_stack: StackFactory) -> None:
    stack = make_stack(authn_lockout_failures=3)
    agent = Agent(stack, add_client_key(stack))
    for _ in range(3):
        agent.initialize(email("alice"), "SECURID", WRONG_CODE)
    assert outcome(agent.initialize(email("alice"), EMERGENCY, WRONG_EMERGENCY)) == FAIL
    assert last_reason(stack) is UserEventReason.USER_LOCKED
    code = issue(stack, "alice", "helpdesk")
    assert stack.audit_events()[-1].event.message.endswith("failed authentications cleared")
    assert outcome(agent.initialize(email("alice"), EMERGENCY, code)) == SUCCESS
    # The token's own lock is not the user's: a new code does not lift it.
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == FAIL
    assert last_reason(stack) is UserEventReason.CREDENTIAL_LOCKED


def test_a_credential_still_locks_on_its_own(stack: Stack) -> None:
    agent = Agent(stack, add_client_key(stack))
    emergency = issue(stack, "alice")
    for _ in range(9):
        agent.initialize(email("alice"), "SECURID", WRONG_CODE)
    assert outcome(agent.initialize(email("alice"), EMERGENCY, emergency)) == SUCCESS
    assert user_lockout(stack, "alice") == Lockout()  # the token still counts 9
    agent.initialize(email("alice"), "SECURID", WRONG_CODE)
    assert outcome(agent.initialize(email("alice"), "SECURID", alice_code(stack))) == FAIL
    assert last_reason(stack) is UserEventReason.CREDENTIAL_LOCKED
    assert user_lockout(stack, "alice").failures == 2


def concurrent_wrong_verifications(stack: Stack, key: str, count: int) -> list[str]:
    """Open `count` attempts of alice's, then answer all of them at once with wrong codes:
    half SECURID (the token's row), half EMERGENCY_TOKENCODE (the code's row)."""
    agent = Agent(stack, key)
    opened = [agent.initialize(email("alice"))["context"] for _ in range(count)]
    start = threading.Barrier(count)

    def verify(index: int) -> str:
        method, value = ("SECURID", WRONG_CODE) if index % 2 else (EMERGENCY, WRONG_EMERGENCY)
        context = opened[index]
        request = {
            "subjectCredentials": credentials(method, value),
            "context": {
                "authnAttemptId": context["authnAttemptId"],
                "messageId": str(uuid.uuid4()),
                "inResponseTo": context["messageId"],
            },
        }
        with httpx.Client(timeout=60) as client:
            start.wait()
            response = client.post(
                f"{stack.server.base_url}{AUTHN}/verify", json=request, headers={"client-key": key}
            )
        assert response.status_code == 200, response.text
        code: str = response.json()["attemptResponseCode"]
        return code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(verify, range(count)))


def test_concurrent_wrong_verifications_are_all_counted(make_stack: StackFactory) -> None:
    stack = make_stack(authn_lockout_failures=50)
    key = add_client_key(stack)
    issue(stack, "alice")
    assert concurrent_wrong_verifications(stack, key, 20) == ["FAIL"] * 20
    assert user_lockout(stack, "alice") == Lockout(20, None)


def test_concurrent_wrong_verifications_lock_at_exactly_the_limit(stack: Stack) -> None:
    key = add_client_key(stack)
    issue(stack, "alice")
    assert concurrent_wrong_verifications(stack, key, 20) == ["FAIL"] * 20
    assert user_lockout(stack, "alice").failures == 10
    reasons = [e.event.reason for e in logged_events(stack)]
    assert reasons.count(UserEventReason.USER_LOCKED) == 10
    assert reasons.count(UserEventReason.WRONG_CREDENTIAL) == 10


def test_enables_racing_verifications_never_deadlock(make_stack: StackFactory) -> None:
    """An enable locks the user's row before the token's, as a verification does: on
    PostgreSQL the other order deadlocks (one side would get a 500)."""
    stack = make_stack(authn_lockout_failures=1000)
    key = add_client_key(stack)
    rounds, threads = 6, 8
    url = f"{stack.server.base_url}{AUTHN}/initialize"
    enable = f"v1/users/{stack.tenant.user('alice')}/sidTokens/enable"
    start = threading.Barrier(threads)

    def work(index: int) -> list[int]:
        statuses = []
        with httpx.Client(timeout=60) as client, stack.client() as admin:
            for _ in range(rounds):
                start.wait()
                if index % 2:
                    request = {
                        "subjectName": email("alice"),
                        "subjectCredentials": credentials("SECURID", WRONG_CODE),
                        "context": {"messageId": str(uuid.uuid4())},
                    }
                    response = client.post(url, json=request, headers={"client-key": key})
                else:
                    response = admin.patch(enable, json={"tokenSerialNumber": TOKEN_ALICE})
                statuses.append(response.status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=threads) as pool:
        statuses = [status for done in pool.map(work, range(threads)) for status in done]
    assert statuses == [200] * rounds * threads
