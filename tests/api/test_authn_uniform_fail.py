"""Every FAIL looks the same: whatever went wrong, an agent gets one body for the methods it sent
(only the ids differ); the user event log alone says why."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest

from mfadesk.domain.user_events import UserEventReason
from mfadesk.services.provisioning import Operator, add_user, ensure_company
from tests.conftest import Stack
from tests.support.authn import (
    CHALLENGE,
    FAIL,
    SUCCESS,
    Agent,
    add_client_key,
    alice_code,
    credentials,
    email,
    logged_events,
    outcome,
)

WRONG = "000000"


@pytest.fixture
def agent(stack: Stack) -> Agent:
    return Agent(stack, add_client_key(stack))


def without_ids(answer: dict[str, Any]) -> dict[str, Any]:
    """The body minus the context (its ids are fresh on every call; `Agent` checks
    `inResponseTo`)."""
    return {name: value for name, value in answer.items() if name != "context"}


def add_erin(stack: Stack) -> None:
    """An enabled user with no token, no device and no emergency tokencode."""
    with stack.db.unit_of_work() as uow:
        op = Operator.start(stack.env)
        add_user(uow, op, ensure_company(uow, op, "Acme"), email("erin"))


def mark_carol_deleted(stack: Stack) -> None:
    with stack.db.unit_of_work() as uow:
        carol = uow.users.get(stack.tenant.company_id, stack.tenant.user("carol"))
        assert carol is not None
        uow.users.save(replace(carol, mark_deleted=True))


def several(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [credential for method, value in pairs for credential in credentials(method, value)]


def one_step(agent: Agent, subject: str, sent: list[dict[str, Any]]) -> dict[str, Any]:
    message_id = str(uuid.uuid4())
    body = {
        "subjectName": subject,
        "subjectCredentials": sent,
        "context": {"messageId": message_id},
    }
    response = agent.post("/initialize", body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert answer["context"]["inResponseTo"] == message_id
    return answer


def expected_fail(*method_ids: str) -> dict[str, Any]:
    return {
        "credentialValidationResults": [
            {
                "methodId": method_id,
                "methodResponseCode": "FAIL",
                "methodReasonCode": "VERIFY_ERROR",
                "authnAttributes": [],
            }
            for method_id in method_ids
        ],
        "attemptResponseCode": "FAIL",
        "attemptReasonCode": "VERIFY_ERROR",
        "challengeMethods": {"challenges": []},
    }


def test_one_step_fails_look_the_same_whatever_the_reason(stack: Stack, agent: Agent) -> None:
    add_erin(stack)
    sent = several(("securid", WRONG), ("Emergency_Tokencode", "ABCDEFGH"))
    expected = expected_fail("SECURID", "EMERGENCY_TOKENCODE")
    subjects = {
        "wrong code": email("alice"),
        "no usable method": email("erin"),
        "unknown user": "nobody@acme.example",
        "unknown user id": str(uuid.uuid4()),
        "disabled user": email("carol"),
    }
    answers = {reason: one_step(agent, subject, sent) for reason, subject in subjects.items()}
    mark_carol_deleted(stack)
    answers["deleted user"] = one_step(agent, email("carol"), sent)
    # The right code, already used: a replay.
    code = alice_code(stack)
    assert outcome(agent.initialize(email("alice"), "SECURID", code)) == SUCCESS
    answers["replayed code"] = one_step(
        agent, email("alice"), several(("securid", code)) + sent[1:]
    )
    for reason, answer in answers.items():
        assert without_ids(answer) == expected, reason
    reasons = {e.event.reason for e in logged_events(stack)}
    assert {
        UserEventReason.WRONG_CREDENTIAL,
        UserEventReason.NO_USABLE_CREDENTIAL,
        UserEventReason.USER_NOT_FOUND,
        UserEventReason.USER_DISABLED,
        UserEventReason.USER_DELETED,
        UserEventReason.REPLAYED_TOKENCODE,
    } <= reasons


def test_unknown_methods_are_failed_alike_and_named_in_upper_case(
    stack: Stack, agent: Agent
) -> None:
    sent = several(("fido2", "x"), (" securid_next_tokencode ", "123456"))
    expected = expected_fail("FIDO2", "SECURID_NEXT_TOKENCODE")
    assert without_ids(one_step(agent, email("alice"), sent)) == expected
    assert without_ids(one_step(agent, "nobody@acme.example", sent)) == expected
    methods = [e.event.method for e in logged_events(stack)]
    assert methods == ["FIDO2", "SECURID_NEXT_TOKENCODE", None]  # None: the unknown user


def test_results_name_the_canonical_method(stack: Stack, agent: Agent) -> None:
    answer = one_step(
        agent, email("alice"), several(("sEcUrId", WRONG), ("securid", alice_code(stack)))
    )
    assert outcome(answer) == SUCCESS
    assert [r["methodId"] for r in answer["credentialValidationResults"]] == ["SECURID"] * 2
    assert [r["methodResponseCode"] for r in answer["credentialValidationResults"]] == [
        "FAIL",
        "SUCCESS",
    ]
    drifted = one_step(agent, email("alice"), several(("securid", alice_code(stack, 3))))
    assert outcome(drifted) == CHALLENGE
    assert drifted["credentialValidationResults"][0]["methodId"] == "SECURID"


def test_verify_fails_look_the_same_whatever_the_reason(stack: Stack, agent: Agent) -> None:
    expected = expected_fail("SECURID")
    answers: dict[str, dict[str, Any]] = {}

    agent.initialize(email("alice"))
    answers["wrong code"] = agent.verify("securid", WRONG)
    answers["finished attempt"] = agent.verify("securid", WRONG)

    agent.initialize(email("alice"))
    held = agent.last
    answers["crossed message"] = agent.verify("securid", alice_code(stack), inResponseTo="stale")
    agent.last = held
    answers["ended by the crossed message"] = agent.verify("securid", alice_code(stack))

    agent.initialize(email("alice"))
    agent.last = {"context": {**agent.last["context"], "authnAttemptId": str(uuid.uuid4())}}
    answers["unknown attempt"] = agent.verify("securid", alice_code(stack))

    agent.initialize(email("bob"))
    with stack.client() as admin:
        disabled = admin.put(
            f"v1/users/{stack.tenant.user('bob')}/userStatus", json={"userStatus": "Disabled"}
        )
    assert disabled.status_code == 200, disabled.text
    answers["user disabled meanwhile"] = agent.verify("securid", WRONG)

    for reason, answer in answers.items():
        assert without_ids(answer) == expected, reason
    # No credential sent: no result listed.
    agent.initialize(email("alice"))
    empty = agent.post(
        "/verify",
        {
            "subjectCredentials": [],
            "context": {
                "authnAttemptId": agent.last["context"]["authnAttemptId"],
                "messageId": "m",
                "inResponseTo": agent.last["context"]["messageId"],
            },
        },
    ).json()
    assert without_ids(empty) == expected_fail()


def test_without_credentials_nobody_looks_different_from_a_user_with_nothing_to_use(
    stack: Stack, agent: Agent
) -> None:
    add_erin(stack)
    nothing = agent.initialize(email("erin"), keepAttempt=True)
    assert outcome(nothing) == FAIL
    assert without_ids(nothing) == expected_fail()

    def status(answer: dict[str, Any]) -> dict[str, Any]:
        attempt = answer["context"]["authnAttemptId"]
        body: dict[str, Any] = agent.post("/status", {"authnAttemptId": attempt}).json()
        return {**body, "subjectName": None}

    subjects = ["nobody@acme.example", str(uuid.uuid4()), email("carol")]
    answers = [agent.initialize(subject, keepAttempt=True) for subject in subjects]
    mark_carol_deleted(stack)
    answers.append(agent.initialize(email("carol"), keepAttempt=True))
    for answer in answers:
        assert without_ids(answer) == without_ids(nothing)
        assert status(answer) == status(nothing)
