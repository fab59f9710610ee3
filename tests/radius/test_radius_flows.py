"""Every RADIUS flow driven by FreeRADIUS's ``radclient`` against the server answering beside the
stack's app, with tokencodes from Debian's ``stoken``: the hashing rules (User-Password hiding,
Response Authenticator, Message-Authenticator) are checked by an independent implementation on
each exchange."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta

from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.domain.user_events import UserEventReason, UserEventResult
from mfadesk.radius.exchange import PAP_REQUIRED, REJECTED
from tests.otp.test_otp_stoken_oracle import StokenRunner
from tests.support.authn import email, logged_events
from tests.support.pins import OracleToken, require_pins, tenant_token
from tests.support.radius import ACCEPT, CHALLENGE, REJECT, RadiusStack, quoted
from tests.support.tenant import TOKEN_ALICE


def alice_token(radius: RadiusStack, stoken: StokenRunner) -> OracleToken:
    return tenant_token(radius.stack, stoken, "alice", TOKEN_ALICE, CredentialKind.SID700)


def test_accept_then_reject_of_the_same_code(radius: RadiusStack, stoken: StokenRunner) -> None:
    code = alice_token(radius, stoken).code()
    accepted = radius.send(
        {
            "User-Name": quoted("ALICE@acme.example"),
            "User-Password": quoted(code),
            "NAS-Identifier": quoted("vpn-gw-1"),
            "Proxy-State": "0x01",
        }
    )
    assert accepted.code == ACCEPT, accepted.output
    # radclient verified the Response Authenticator and the Message-Authenticator; the latter
    # comes first, and Proxy-State is copied.
    assert [name for name, _ in accepted.attributes] == ["Message-Authenticator", "Proxy-State"]
    replayed = radius.login(email("alice"), code)
    assert replayed.code == REJECT
    assert replayed.message == REJECTED
    assert replayed.attributes[0][0] == "Message-Authenticator"
    success, replay = logged_events(radius.stack)[-2:]
    assert (success.event.result, success.event.method) == (UserEventResult.SUCCESS, "SECURID")
    assert success.event.authn_key_name == "vpn"  # the RADIUS client's name
    assert success.event.client_id == "vpn-gw-1"
    assert success.event.source_ip == "127.0.0.1"
    assert replay.event.reason is UserEventReason.REPLAYED_TOKENCODE


def test_next_tokencode_challenge_then_accept(radius: RadiusStack, stoken: StokenRunner) -> None:
    token = alice_token(radius, stoken)
    challenged = radius.login(email("alice"), token.code(2))
    assert challenged.code == CHALLENGE, challenged.output
    assert challenged.message == "Wait for the tokencode to change, then enter the next tokencode:"
    assert challenged.state is not None
    wrong_user = radius.login(email("bob"), token.code(3), challenged.state)
    assert wrong_user.code == REJECT  # the State is alice's, and that attempt is now over
    challenged = radius.login(email("alice"), token.code(3))
    assert challenged.code == CHALLENGE
    accepted = radius.login(email("alice"), token.code(4), challenged.state)
    assert accepted.code == ACCEPT, accepted.output


def test_new_pin_mode(radius: RadiusStack, stoken: StokenRunner) -> None:
    require_pins(radius.stack)
    token = alice_token(radius, stoken)
    asked = radius.login(email("alice"), token.code())
    assert asked.code == CHALLENGE
    assert asked.message == (
        "Enter a new PIN of 4 to 8 digits, not one repeated character nor a run of digits "
        "such as 1234:"
    )
    again = radius.login(email("alice"), "1234", asked.state)
    assert again.code == CHALLENGE
    assert again.message is not None and again.message.startswith("PIN rejected. ")
    taken = radius.login(email("alice"), "2468", again.state)
    assert taken.code == CHALLENGE
    assert taken.message == (
        "PIN accepted. Wait for the tokencode to change, "
        "then enter your new PIN followed by the tokencode:"
    )
    assert token.pin_digest() is not None
    radius.stack.clock.advance(timedelta(minutes=1))
    done = radius.login(email("alice"), "2468" + token.code(), taken.state)
    assert done.code == ACCEPT, done.output
    radius.stack.clock.advance(timedelta(minutes=1))
    assert radius.login(email("alice"), token.code()).code == REJECT  # a PIN is needed now
    radius.stack.clock.advance(timedelta(minutes=1))
    assert radius.login(email("alice"), "2468" + token.code()).code == ACCEPT
    reasons = [e.event.reason for e in logged_events(radius.stack)]
    assert reasons[-6:] == [
        UserEventReason.NEW_PIN_REQUIRED,
        UserEventReason.PIN_REJECTED,
        UserEventReason.PIN_ACCEPTED,
        UserEventReason.CREDENTIAL_VERIFIED,
        UserEventReason.WRONG_PIN,
        UserEventReason.CREDENTIAL_VERIFIED,
    ]


def test_emergency_tokencode(radius: RadiusStack) -> None:
    stack = radius.stack
    with stack.client() as admin:
        issued = admin.put(
            f"v1/users/{stack.tenant.user('alice')}/emergencyTokencode",
            json={"expirationDays": "1"},
        ).json()
    code = issued["emergencyTokencode"]
    assert radius.login(email("alice"), code.lower()).code == ACCEPT
    assert radius.login(email("bob"), code).code == REJECT
    assert logged_events(stack)[-2].event.method == "EMERGENCY_TOKENCODE"


def test_a_retransmit_is_answered_without_a_second_verification(
    radius: RadiusStack,
    stoken: StokenRunner,
) -> None:
    """While the database is busy, radclient sends the request again (same Identifier and
    Request Authenticator); the retransmit gets the first one's reply, verified once."""
    code = alice_token(radius, stoken).code()
    path = radius.stack.settings.database_url.removeprefix("sqlite:///")
    busy = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    busy.execute("BEGIN IMMEDIATE")  # another process's long write transaction
    release = threading.Timer(2.5, busy.execute, args=("COMMIT",))
    release.start()
    try:
        reply = radius.login(email("alice"), code, timeout=1, retries=4)
    finally:
        release.join()
        busy.close()
    assert reply.code == ACCEPT, reply.output
    sent = [line for line in reply.output.splitlines() if line.startswith("Sent Access-Request")]
    assert len(sent) >= 2 and len({line.split()[3] for line in sent}) == 1  # same Identifier
    time.sleep(0.5)  # every copy answered
    events = [e.event for e in logged_events(radius.stack)]
    assert [(e.result, e.reason) for e in events[-1:]] == [
        (UserEventResult.SUCCESS, UserEventReason.CREDENTIAL_VERIFIED)
    ]
    assert sum(e.method == "SECURID" for e in events) == 1


def test_chap_is_refused_with_a_reply_message(radius: RadiusStack) -> None:
    reply = radius.send({"User-Name": quoted(email("alice")), "CHAP-Password": quoted("123456")})
    assert reply.code == REJECT, reply.output
    assert reply.message == PAP_REQUIRED
    last = logged_events(radius.stack)[-1].event
    assert (last.method, last.reason) == ("CHAP", UserEventReason.METHOD_NOT_SUPPORTED)


def test_the_user_name_may_be_the_principal_username(
    radius: RadiusStack, stoken: StokenRunner
) -> None:
    """A gateway sends what people type: their directory user name, in any case."""
    path = radius.stack.settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE users SET principal_username = 'Alice.Adams' WHERE email = ?",
            (email("alice"),),
        )
    token = alice_token(radius, stoken)
    accepted = radius.login("ALICE.adams", token.code())
    assert accepted.code == ACCEPT, accepted.output
    assert logged_events(radius.stack)[-1].event.user_id is not None
    assert radius.login("nobody.adams", token.code(1)).code == REJECT
