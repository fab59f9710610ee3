"""The admin side of PINs: ``pinSet`` tells the truth in every reply that carries it, and clear
PIN, assign and unassign leave a credential without one (its next login enters New PIN mode)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.securid_credentials import CredentialKind
from tests.conftest import Stack
from tests.otp.conftest import stoken  # noqa: F401  (fixture)
from tests.otp.test_otp_stoken_oracle import StokenRunner
from tests.support.authenticators import audit_mark, set_credential_pin, set_token_pin, steps_since
from tests.support.authn import CHALLENGE, SUCCESS, Agent, add_client_key, email, outcome
from tests.support.pins import first_challenge, require_pins, tenant_token
from tests.support.tenant import CREDENTIAL_DAVE, DEVICE_DAVE, TOKEN_ALICE


def pin_flags(stack: Stack) -> dict[str, Any]:
    """``pinSet`` of alice's token and dave's OTP credential in every reply that carries it."""
    alice, dave = stack.tenant.user("alice"), stack.tenant.user("dave")
    with stack.client("helpdesk") as api:
        token = api.post("v1/sidTokens/lookup", json={"tokenSerialNumber": TOKEN_ALICE}).json()
        [otp] = api.post("v1/ds100/lookup", json={"deviceSerialNumber": DEVICE_DAVE}).json()
        [sid] = api.get(f"v2/users/{alice}/devices").json()["sidTokens"]
        [device] = api.get(f"v2/users/{dave}/devices").json()["devices"]
    return {
        "lookup": token["pinSet"],
        "devices": sid["pinSet"],
        "ds100 lookup": otp["pinSet"],
        "ds100 devices": device["otpCredentials"][0]["pinSet"],
    }


def test_pin_set_tells_the_truth_and_clear_pin_clears_it(
    stack: Stack,
    stoken: StokenRunner,  # noqa: F811
) -> None:
    assert set(pin_flags(stack).values()) == {False}
    set_token_pin(stack, TOKEN_ALICE)
    set_credential_pin(stack, CREDENTIAL_DAVE)
    assert set(pin_flags(stack).values()) == {True}
    mark = audit_mark(stack)
    alice, dave = stack.tenant.user("alice"), stack.tenant.user("dave")
    with stack.client("helpdesk") as api:
        cleared = api.patch(
            f"v2/users/{alice}/sidTokens/clearPin", json={"tokenSerialNumber": TOKEN_ALICE}
        )
        cleared_otp = api.patch(
            "v1/ds100/clearPin/otp", json={"tokenSerialNumber": CREDENTIAL_DAVE, "userId": dave}
        )
    assert cleared.json()["pinSet"] is False and cleared_otp.json()["pinSet"] is False
    assert set(pin_flags(stack).values()) == {False}
    assert [(action, changed) for action, _, _, result, changed in steps_since(stack, mark)] == [
        (Action.CLEAR_HARDWARE_TOKEN_PIN, True),
        (Action.CLEAR_DS100_OTP_PIN, True),
    ]
    assert {result for _, _, _, result, _ in steps_since(stack, mark)} == {Result.SUCCESS}
    # Cleared: the next login enters New PIN mode; the old PIN is gone for good.
    require_pins(stack)
    agent = Agent(stack, add_client_key(stack))
    token = tenant_token(stack, stoken, "alice", TOKEN_ALICE, CredentialKind.SID700)
    assert token.pin_digest() is None
    answer = agent.initialize(email("alice"), "SECURID", token.code())
    assert first_challenge(answer)["methodId"] == "SECURID_NEWPIN"
    otp = tenant_token(stack, stoken, "dave", CREDENTIAL_DAVE, CredentialKind.DS100)
    assert (
        first_challenge(agent.initialize(email("dave"), "SECURID", otp.code()))["methodId"]
        == "SECURID_NEWPIN"
    )


def test_unassign_and_assign_leave_no_pin(
    stack: Stack,
    stoken: StokenRunner,  # noqa: F811
) -> None:
    set_token_pin(stack, TOKEN_ALICE)
    token = tenant_token(stack, stoken, "alice", TOKEN_ALICE, CredentialKind.SID700)
    alice, bob = stack.tenant.user("alice"), stack.tenant.user("bob")
    body = {"tokenSerialNumber": TOKEN_ALICE}
    with stack.client() as api:
        assert api.patch(f"v1/users/{alice}/sidTokens/unassign", json=body).status_code == 200
        assert api.post("v1/sidTokens/lookup", json=body).json()["pinSet"] is False
        assert api.patch(f"v1/users/{bob}/sidTokens/assign", json=body).status_code == 200
        assert api.post("v1/sidTokens/lookup", json=body).json()["pinSet"] is False
    # bob chooses his own PIN: the token's first code opens New PIN mode for him.
    require_pins(stack)
    agent = Agent(stack, add_client_key(stack))
    bobs = tenant_token(stack, stoken, "bob", TOKEN_ALICE, CredentialKind.SID700)
    assert bobs.seed == token.seed
    assert outcome(agent.initialize(email("bob"), "SECURID", bobs.code())) == CHALLENGE
    assert outcome(agent.verify("SECURID_NEWPIN", "7531")) == CHALLENGE
    stack.clock.advance(timedelta(minutes=1))
    assert outcome(agent.verify("SECURID", "7531" + bobs.code())) == SUCCESS
