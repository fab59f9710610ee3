"""An authentication agent as the tests drive it: a client-key, real HTTP to /mfa/v1_1."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from mfadesk.domain.securid_credentials import SecurIdCredential
from mfadesk.domain.user_events import StoredUserEvent
from mfadesk.otp.seed_cipher import SeedCipher
from mfadesk.otp.tokencodes import TokenGenerator, normalize_serial
from mfadesk.services.authn_keys import create_authn_key
from mfadesk.services.provisioning import (
    Operator,
    TokenSeed,
    add_hardware_token,
    resolve_company,
)
from mfadesk.services.user_events import user_event_page
from tests.conftest import Stack
from tests.support.openapi import CONFORMANCE
from tests.support.tenant import TOKEN_ALICE

AUTHN = "/mfa/v1_1/authn"
SUCCESS = ("SUCCESS", "CREDENTIAL_VERIFIED")
FAIL = ("FAIL", "VERIFY_ERROR")
CHALLENGE = ("CHALLENGE", "AUTHENTICATION_REQUIRED")


def add_client_key(stack: Stack, name: str = "agent") -> str:
    with stack.db.unit_of_work() as uow:
        op = Operator.start(stack.env)
        _, key = create_authn_key(uow, op, resolve_company(uow, op, "Acme"), name)
    return key


def credentials(method: str, value: str) -> list[dict[str, Any]]:
    return [
        {
            "methodId": method,
            "versionId": "1.0.0",
            "collectedInputs": [{"name": method, "value": value, "dataType": "STRING"}],
        }
    ]


def email(name: str) -> str:
    return f"{name}@acme.example"


@dataclass
class Agent:
    """Speaks the authentication API; remembers the conversation it is in."""

    stack: Stack
    key: str
    client: httpx.Client = field(init=False)
    last: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.client = httpx.Client(
            base_url=self.stack.server.base_url + AUTHN,
            headers={"client-key": self.key, "Accept": "application/json"},
            timeout=30,
            # Every reply must match the OpenAPI document (tests/support/openapi.py).
            event_hooks={"response": [CONFORMANCE.check]},
        )

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.client.post(path, json=body)

    def initialize(
        self, subject: str, method: str | None = None, value: str = "", **extra: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "clientId": "test-agent",
            "subjectName": subject,
            "lang": "en_US",
            "context": {"messageId": str(uuid.uuid4())},
            **extra,
        }
        if method is not None:
            body["subjectCredentials"] = credentials(method, value)
        return self._answer(self.post("/initialize", body), body["context"]["messageId"])

    def verify(self, method: str, value: str, **context: Any) -> dict[str, Any]:
        message_id = str(uuid.uuid4())
        body = {
            "subjectCredentials": credentials(method, value),
            "context": {
                "authnAttemptId": self.last["context"]["authnAttemptId"],
                "messageId": message_id,
                "inResponseTo": self.last["context"]["messageId"],
                **context,
            },
        }
        return self._answer(self.post("/verify", body), message_id)

    def _answer(self, response: httpx.Response, message_id: str) -> dict[str, Any]:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        answer: dict[str, Any] = response.json()
        assert answer["context"]["inResponseTo"] == message_id
        self.last = answer
        return answer

    def close(self) -> None:
        self.client.close()


def outcome(answer: dict[str, Any]) -> tuple[str, str]:
    return answer["attemptResponseCode"], answer["attemptReasonCode"]


def offered(answer: dict[str, Any]) -> list[str]:
    return [
        method["methodId"]
        for challenge in answer["challengeMethods"]["challenges"]
        for method in challenge["requiredMethods"]
    ]


def credential(stack: Stack, user: str, serial: str) -> SecurIdCredential:
    with stack.db.unit_of_work() as uow:
        found = uow.securid_credentials.of_user(stack.tenant.company_id, stack.tenant.user(user))
    return next(c for c in found if c.serial == serial)


def generator(stack: Stack, user: str, serial: str) -> TokenGenerator:
    """The tokencodes of a tenant credential (its seed decrypted as the server does)."""
    found = credential(stack, user, serial)
    assert found.seed_ciphertext is not None
    seed = SeedCipher(stack.env.keys.seed_encryption).decrypt(serial, found.seed_ciphertext)
    return TokenGenerator(seed, normalize_serial(serial), found.digits, found.interval_seconds)


def code_at(stack: Stack, user: str, serial: str, intervals: int = 0) -> str:
    """The code the credential shows ``intervals`` away from the server's clock."""
    moment: datetime = stack.clock() + timedelta(minutes=intervals)
    return generator(stack, user, serial).at(moment)


def alice_code(stack: Stack, intervals: int = 0) -> str:
    """A code of alice's SID700 token (the tenant's ``TOKEN_ALICE``)."""
    return code_at(stack, "alice", TOKEN_ALICE, intervals)


def add_seeded_token(stack: Stack, serial: str, user: str | None, seed: bytes) -> None:
    with stack.db.unit_of_work() as uow:
        op = Operator.start(stack.env)
        company = resolve_company(uow, op, "Acme")
        add_hardware_token(uow, op, company, serial, email(user) if user else None, TokenSeed(seed))


def logged_events(stack: Stack) -> list[StoredUserEvent]:
    """The tenant's user event log as an export reads it (numbered first)."""
    with stack.db.unit_of_work() as uow:
        page = user_event_page(uow, stack.tenant.company_id, None, None, offset=0, limit=10_000)
    assert page.total == len(page.events)
    return page.events
