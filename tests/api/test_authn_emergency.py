"""EMERGENCY_TOKENCODE online, and the offline bundle: disabling online bites at once, a bundle
already downloaded keeps verifying until its offline expiry."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from mfadesk.client import parse_offline_bundle, verify_offline
from mfadesk.domain.user_events import UserEventReason
from tests.conftest import Stack
from tests.support.authn import (
    FAIL,
    SUCCESS,
    Agent,
    add_client_key,
    code_at,
    email,
    logged_events,
    offered,
    outcome,
)
from tests.support.tenant import TOKEN_ALICE
from tests.support.wire import assert_error

EMERGENCY = "EMERGENCY_TOKENCODE"


@pytest.fixture
def agent(stack: Stack) -> Agent:
    return Agent(stack, add_client_key(stack))


def issue(stack: Stack, user: str = "alice", days: str = "1") -> dict[str, Any]:
    with stack.client() as admin:
        response = admin.put(
            f"v1/users/{stack.tenant.user(user)}/emergencyTokencode",
            json={"expirationDays": days},
        )
    assert response.status_code == 200, response.text
    issued: dict[str, Any] = response.json()
    return issued


def disable(stack: Stack, issued: dict[str, Any], user: str = "alice") -> None:
    with stack.client("helpdesk") as admin:
        response = admin.delete(
            f"v1/users/{stack.tenant.user(user)}/emergencyTokencode/{issued['emergencyTokencodeId']}"
        )
    assert response.status_code == 200


def moment(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)


def ticket_of(answer: dict[str, Any]) -> str | None:
    [result] = [
        r for r in answer["credentialValidationResults"] if r["methodResponseCode"] == "SUCCESS"
    ]
    tickets = [a["value"] for a in result["authnAttributes"] if a["name"] == "OFFLINE_DATA_TICKET"]
    assert all(a["dataType"] == "STRING" for a in result["authnAttributes"])
    return tickets[0] if tickets else None


def test_emergency_tokencode_works_online_until_it_expires(stack: Stack, agent: Agent) -> None:
    issued = issue(stack)
    code = issued["emergencyTokencode"]
    assert outcome(agent.initialize(email("alice"), EMERGENCY, code)) == SUCCESS
    typed = f"{code[:4].lower()}-{code[4:]}"  # as a user types it
    assert outcome(agent.initialize(email("alice"), EMERGENCY, typed)) == SUCCESS
    assert outcome(agent.initialize(email("alice"), EMERGENCY, "WRONGCOD")) == FAIL
    assert outcome(agent.initialize(email("bob"), EMERGENCY, code)) == FAIL  # alice's, not bob's
    stack.clock.advance(moment(issued["expirationDate"]) - stack.clock())
    assert outcome(agent.initialize(email("alice"), EMERGENCY, code)) == FAIL
    assert offered(agent.initialize(email("alice"))) == ["SECURID"]


def test_one_time_use_code_succeeds_once(stack: Stack, agent: Agent) -> None:
    with stack.db.unit_of_work() as uow:
        company = uow.companies.get(stack.tenant.company_id)
        assert company is not None
        settings = replace(company.emergency_access, one_time_use=True)
        uow.companies.save_settings(company.id, settings)
    code = issue(stack)["emergencyTokencode"]
    assert outcome(agent.initialize(email("alice"), EMERGENCY, code)) == SUCCESS
    assert outcome(agent.initialize(email("alice"), EMERGENCY, code)) == FAIL
    assert EMERGENCY not in offered(agent.initialize(email("alice")))


def test_a_replaced_code_fails(stack: Stack, agent: Agent) -> None:
    old = issue(stack)["emergencyTokencode"]
    new = issue(stack)["emergencyTokencode"]
    assert outcome(agent.initialize(email("alice"), EMERGENCY, old)) == FAIL
    assert outcome(agent.initialize(email("alice"), EMERGENCY, new)) == SUCCESS


def test_emergency_lockout_until_a_new_code(stack: Stack, agent: Agent) -> None:
    code = issue(stack)["emergencyTokencode"]
    for _ in range(10):
        assert outcome(agent.initialize(email("alice"), EMERGENCY, "22222222")) == FAIL
    assert outcome(agent.initialize(email("alice"), EMERGENCY, code)) == FAIL
    # The user reached the limit with the code: the user's lock answers first.
    assert logged_events(stack)[-1].event.reason is UserEventReason.USER_LOCKED
    fresh = issue(stack)["emergencyTokencode"]
    assert outcome(agent.initialize(email("alice"), EMERGENCY, fresh)) == SUCCESS


def download(agent: Agent, ticket: str) -> Any:
    return agent.post("/offlineData", {"offlineDataTicket": ticket})


def test_disabled_online_but_the_downloaded_bundle_verifies_until_offline_expiry(
    stack: Stack, agent: Agent
) -> None:
    issued = issue(stack)
    code = issued["emergencyTokencode"]
    # A successful online authentication (here with the token) comes with a download ticket.
    answer = agent.initialize(email("alice"), "SECURID", code_at(stack, "alice", TOKEN_ALICE))
    assert outcome(answer) == SUCCESS
    ticket = ticket_of(answer)
    assert ticket is not None
    response = download(agent, ticket)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    wire = response.json()
    assert wire == {
        "userId": stack.tenant.user("alice"),
        "subjectName": email("alice"),
        "emergencyTokencodeId": issued["emergencyTokencodeId"],
        "verifier": wire["verifier"],
        "offlineExpirationDate": issued["offlineExpirationDate"],
    }
    assert wire["verifier"].startswith("scrypt$") and code not in response.text
    saved = response.text  # what the agent keeps on disk

    disable(stack, issued)
    assert outcome(agent.initialize(email("alice"), EMERGENCY, code)) == FAIL
    assert EMERGENCY not in offered(agent.initialize(email("alice")))

    bundle = parse_offline_bundle(saved)
    assert verify_offline(bundle, code, stack.clock())
    assert not verify_offline(bundle, "WRONGCOD", stack.clock())
    offline_expiry = moment(issued["offlineExpirationDate"])
    assert verify_offline(bundle, code.lower(), offline_expiry - timedelta(milliseconds=1))
    assert not verify_offline(bundle, code, offline_expiry)
    # Once disabled online, the code is no longer handed out.
    assert_error(download(agent, ticket), 404, "NOT_FOUND", "No offline data for this ticket.")
    stack.clock.advance(timedelta(minutes=1))
    later = agent.initialize(email("alice"), "SECURID", code_at(stack, "alice", TOKEN_ALICE))
    assert outcome(later) == SUCCESS and ticket_of(later) is None


def test_emergency_success_also_offers_the_bundle(stack: Stack, agent: Agent) -> None:
    issued = issue(stack)
    answer = agent.initialize(email("alice"), EMERGENCY, issued["emergencyTokencode"])
    ticket = ticket_of(answer)
    assert ticket is not None
    bundle = parse_offline_bundle(download(agent, ticket).json())
    assert bundle.emergency_tokencode_id == issued["emergencyTokencodeId"]
    assert verify_offline(bundle, issued["emergencyTokencode"], stack.clock())


def test_tickets_are_short_lived_and_for_their_agent_only(stack: Stack, agent: Agent) -> None:
    issue(stack)
    answer = agent.initialize(email("alice"), "SECURID", code_at(stack, "alice", TOKEN_ALICE))
    ticket = ticket_of(answer)
    assert ticket is not None
    other = Agent(stack, add_client_key(stack, "other-agent"))
    assert_error(download(other, ticket), 404, "NOT_FOUND", "No offline data for this ticket.")
    forged = ticket[:-2] + ("AA" if not ticket.endswith("AA") else "BB")
    assert_error(download(agent, forged), 404, "NOT_FOUND", "No offline data for this ticket.")
    assert_error(
        download(agent, "v1.e30.AAAA"), 404, "NOT_FOUND", "No offline data for this ticket."
    )
    stack.clock.advance(timedelta(minutes=5))
    assert_error(download(agent, ticket), 404, "NOT_FOUND", "No offline data for this ticket.")


def test_no_ticket_without_an_emergency_tokencode(stack: Stack, agent: Agent) -> None:
    answer = agent.initialize(email("alice"), "SECURID", code_at(stack, "alice", TOKEN_ALICE))
    assert outcome(answer) == SUCCESS and ticket_of(answer) is None
