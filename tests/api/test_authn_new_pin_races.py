"""New PIN mode under concurrency and failure: one credential gets one PIN, and a PIN is stored
together with the attempt's next step or not at all."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from mfadesk.domain.clock import SystemRandom
from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.domain.user_events import UserEventReason
from mfadesk.otp.pins import SALT_BYTES
from tests.conftest import Stack, StackFactory
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
    outcome,
)
from tests.support.pins import first_challenge, require_pins, tenant_token
from tests.support.tenant import TOKEN_ALICE

EXCHANGES = 2


def test_concurrent_new_pin_exchanges_set_one_pin(
    stack: Stack,
    stoken: StokenRunner,  # noqa: F811
) -> None:
    require_pins(stack)
    alice = tenant_token(stack, stoken, "alice", TOKEN_ALICE, CredentialKind.SID700)
    key = add_client_key(stack)
    agents = [Agent(stack, key) for _ in range(EXCHANGES)]
    # Two exchanges in New PIN mode for one token: opened by two codes (each is used once).
    for agent, intervals in zip(agents, (0, 1), strict=True):
        opened = agent.initialize(email("alice"), "SECURID", alice.code(intervals))
        assert first_challenge(opened)["methodId"] == "SECURID_NEWPIN"
    pins = ["2468", "8642"]
    start = threading.Barrier(EXCHANGES)

    def choose(index: int) -> str:
        start.wait()
        return outcome(agents[index].verify("SECURID_NEWPIN", pins[index]))[0]

    with ThreadPoolExecutor(max_workers=EXCHANGES) as pool:
        answers = list(pool.map(choose, range(EXCHANGES)))
    assert sorted(answers) == ["CHALLENGE", "FAIL"]
    winner, loser = (0, 1) if answers[0] == "CHALLENGE" else (1, 0)
    reasons = [e.event.reason for e in logged_events(stack)][EXCHANGES:]
    assert sorted(reasons) == sorted(
        [UserEventReason.PIN_ACCEPTED, UserEventReason.PIN_ALREADY_SET]
    )
    # The winner's PIN is the token's: it completes the exchange, the loser's never works.
    assert outcome(agents[winner].verify("SECURID", pins[winner] + alice.code(2))) == SUCCESS
    fresh = Agent(stack, key)
    assert outcome(fresh.initialize(email("alice"), "SECURID", pins[loser] + alice.code(3))) == FAIL


class FailingAfterSalt(SystemRandom):
    """Fails the first identifier drawn after a PIN's salt: the user event written after the
    PIN is stored (same transaction) — the request becomes a 500 and must leave no trace."""

    def __init__(self) -> None:
        self.armed = False
        self.salted = False

    def token_bytes(self, n: int) -> bytes:
        if self.armed and n == SALT_BYTES:
            self.salted = True
        return super().token_bytes(n)

    def uuid4(self) -> str:
        if self.salted:
            self.armed = self.salted = False
            raise RuntimeError("injected failure after the PIN was stored")
        return super().uuid4()


def test_a_pin_is_stored_with_the_attempts_step_or_not_at_all(
    make_stack: StackFactory,
    stoken: StokenRunner,  # noqa: F811
) -> None:
    random = FailingAfterSalt()
    stack = make_stack(random=random)
    require_pins(stack)
    alice = tenant_token(stack, stoken, "alice", TOKEN_ALICE, CredentialKind.SID700)
    agent = Agent(stack, add_client_key(stack))
    agent.initialize(email("alice"), "SECURID", alice.code())
    random.armed = True
    message = {
        "subjectCredentials": [
            {
                "methodId": "SECURID_NEWPIN",
                "collectedInputs": [{"name": "SECURID_NEWPIN", "value": "2468"}],
            }
        ],
        "context": {
            "authnAttemptId": agent.last["context"]["authnAttemptId"],
            "messageId": "m-2",
            "inResponseTo": agent.last["context"]["messageId"],
        },
    }
    assert agent.post("/verify", message).status_code == 500
    assert alice.pin_digest() is None
    # The attempt still waits for the PIN: the same message, sent again, is answered.
    assert outcome(agent.verify("SECURID_NEWPIN", "2468")) == CHALLENGE
    assert alice.pin_digest() is not None
