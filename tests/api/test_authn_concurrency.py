"""Many workers, one code: exactly one of them may accept it."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx

from mfadesk.domain.user_events import UserEventReason
from tests.conftest import Stack
from tests.support.authn import AUTHN, add_client_key, code_at, credentials, email, logged_events
from tests.support.tenant import TOKEN_ALICE

THREADS = 32


def race(stack: Stack, key: str, method: str, value: str) -> list[str]:
    """Fire the same one-step initialize from many threads at once; their outcomes."""
    start = threading.Barrier(THREADS)

    def attempt(_: int) -> str:
        with httpx.Client(timeout=60) as client:
            body = {
                "subjectName": email("alice"),
                "subjectCredentials": credentials(method, value),
                "context": {"messageId": str(uuid.uuid4())},
            }
            start.wait()
            response = client.post(
                f"{stack.server.base_url}{AUTHN}/initialize",
                json=body,
                headers={"client-key": key},
            )
        assert response.status_code == 200, response.text
        code: str = response.json()["attemptResponseCode"]
        return code

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(attempt, range(THREADS)))


def test_one_tokencode_from_many_threads_succeeds_exactly_once(stack: Stack) -> None:
    key = add_client_key(stack)
    outcomes = race(stack, key, "SECURID", code_at(stack, "alice", TOKEN_ALICE))
    assert sorted(outcomes) == ["FAIL"] * (THREADS - 1) + ["SUCCESS"]
    events = logged_events(stack)
    assert [e.seq for e in events] == list(range(1, THREADS + 1))  # gap-free
    reasons = [e.event.reason for e in events]
    assert reasons.count(UserEventReason.CREDENTIAL_VERIFIED) == 1
    # A replay is a failure like any other: the tenth locks the token and its user for the rest.
    assert reasons.count(UserEventReason.REPLAYED_TOKENCODE) == 10
    assert reasons.count(UserEventReason.USER_LOCKED) == THREADS - 11


def test_one_time_emergency_tokencode_from_many_threads_succeeds_exactly_once(
    stack: Stack,
) -> None:
    with stack.db.unit_of_work() as uow:
        company = uow.companies.get(stack.tenant.company_id)
        assert company is not None
        uow.companies.save_settings(
            company.id, replace(company.emergency_access, one_time_use=True)
        )
    with stack.client() as admin:
        issued = admin.put(
            f"v1/users/{stack.tenant.user('alice')}/emergencyTokencode",
            json={"expirationDays": "1"},
        ).json()
    key = add_client_key(stack)
    outcomes = race(stack, key, "EMERGENCY_TOKENCODE", issued["emergencyTokencode"])
    assert sorted(outcomes) == ["FAIL"] * (THREADS - 1) + ["SUCCESS"]
