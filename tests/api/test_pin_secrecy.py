"""A PIN is never readable anywhere: not in a database dump (rows, audit trail, user events), not
in a log line, not in a reply; and what is stored can only be tested with the master key."""

from __future__ import annotations

import hashlib
import logging
import shutil
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.otp.pins import pin_digest
from tests.conftest import Stack
from tests.otp.conftest import stoken  # noqa: F401  (fixture)
from tests.otp.test_otp_stoken_oracle import StokenRunner
from tests.support.authenticators import set_token_pin
from tests.support.authn import CHALLENGE, FAIL, SUCCESS, Agent, add_client_key, email, outcome
from tests.support.authn import credential as verifier_credential
from tests.support.databases import unavailable
from tests.support.pins import require_pins, tenant_token
from tests.support.tenant import TOKEN_ALICE

PIN = "Zq7Kx3Pm"  # alphanumeric and distinctive: it cannot turn up in a dump by chance
WRONG_PIN = "Wv4Ty8Rn"
REFUSED_PIN = "Hx5Rb9Lw3Q"  # too long: refused, never stored either


def dump(stack: Stack) -> bytes:
    """Everything the database holds, as a copy of it would show it."""
    url = stack.settings.database_url
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        with sqlite3.connect(path) as connection:
            text = "\n".join(connection.iterdump()).encode()
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        return text + b"".join(f.read_bytes() for f in files)  # the file, its WAL and journal
    executable = shutil.which("pg_dump")
    if executable is None:
        unavailable("pg_dump", FileNotFoundError("pg_dump"))
    assert executable is not None
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(
        [executable, "--data-only", plain], capture_output=True, check=True, timeout=60
    ).stdout


def forms(secret: str) -> list[bytes]:
    """How a secret could show in a dump: as text, or as the hex of a binary column."""
    raw = secret.encode()
    return [raw, raw.hex().encode(), raw.hex().upper().encode()]


def test_no_dump_log_or_reply_holds_a_pin(
    stack: Stack,
    stoken: StokenRunner,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    require_pins(stack, alphanumeric=True)
    token = tenant_token(stack, stoken, "alice", TOKEN_ALICE, CredentialKind.SID700)
    agent = Agent(stack, add_client_key(stack))
    replies: list[str] = []

    def answer(result: dict[str, object]) -> dict[str, object]:
        replies.append(repr(result))
        return result

    assert outcome(answer(agent.initialize(email("alice"), "SECURID", token.code()))) == CHALLENGE
    assert outcome(answer(agent.verify("SECURID_NEWPIN", REFUSED_PIN))) == CHALLENGE
    assert outcome(answer(agent.verify("SECURID_NEWPIN", PIN))) == CHALLENGE
    stack.clock.advance(timedelta(minutes=1))
    assert outcome(answer(agent.verify("SECURID", PIN + token.code()))) == SUCCESS
    stack.clock.advance(timedelta(minutes=1))
    passcode = WRONG_PIN + token.code()
    assert outcome(answer(agent.initialize(email("alice"), "SECURID", passcode))) == FAIL
    # An administrator's view of the token, and the export of the user event log.
    with stack.client() as api:
        replies.append(
            api.post("v1/sidTokens/lookup", json={"tokenSerialNumber": TOKEN_ALICE}).text
        )
        replies.append(
            api.get(
                "v1/usereventlog/exportlogs",
                params={
                    "startTimeAfter": "2000-01-01T00:00:00.000Z",
                    "endTimeOnOrBefore": "2100-01-01T00:00:00.000Z",
                },
            ).text
        )

    copy = dump(stack)
    assert b"SECURID_NEWPIN" in copy  # the dump does hold the exchange's events
    for secret in (PIN, WRONG_PIN, REFUSED_PIN, passcode):
        for form in forms(secret):
            assert form not in copy, secret
        assert secret not in caplog.text
        assert all(secret not in reply for reply in replies)


def test_the_stored_digest_can_only_be_tested_with_the_key(stack: Stack) -> None:
    set_token_pin(stack, TOKEN_ALICE, PIN)
    stored = verifier_credential(stack, "alice", TOKEN_ALICE).pin
    assert stored is not None and len(stored.salt) == 16 and len(stored.digest) == 32
    key = stack.env.keys.pin_hmac
    assert pin_digest(key, stored.salt, TOKEN_ALICE, PIN) == stored.digest
    assert pin_digest(key, stored.salt, TOKEN_ALICE, WRONG_PIN) != stored.digest
    # What one could compute from a copy of the database alone matches nothing.
    unkeyed = [
        hashlib.sha256(stored.salt + TOKEN_ALICE.encode() + b"\x00" + PIN.encode()).digest(),
        pin_digest(b"", stored.salt, TOKEN_ALICE, PIN),
        pin_digest(stack.env.keys.emergency_hmac, stored.salt, TOKEN_ALICE, PIN),
    ]
    assert stored.digest not in unkeyed
