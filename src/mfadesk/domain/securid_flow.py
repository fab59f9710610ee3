"""The SecurID conversation as a state machine: what a passcode, a next tokencode or a new PIN
leads to, and which step (``Pending``) the attempt then waits in.

Pure and transport-independent: ``/mfa/v1_1`` drives it today, RADIUS (Access-Challenge) and a
console sign-in can drive the same transitions. The service around it finds the credentials,
computes tokencodes and PIN digests, and stores what a verdict says.

Transitions (each answer names the one step the attempt then waits in):

- passcode, PIN right (or none and none set), tokencode within ±1 → SUCCESS; without a PIN
  under a policy that requires one → NEW_PIN;
- passcode within ±2..3, or after repeated failures → NEXT_TOKENCODE; the next tokencode then
  counts as a proven tokencode (SUCCESS, or NEW_PIN);
- NEW_PIN: a PIN that fits the policy is stored → NEW_PIN_PASSCODE; one that does not is asked
  for again, the third time FAIL;
- NEW_PIN_PASSCODE: a passcode of that credential alone (the new PIN + a later tokencode).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from mfadesk.domain.authn_attempts import Verdict
from mfadesk.domain.authn_methods import PIN_ACCEPTED_PROMPT, Challenge, Method, ResponseCode
from mfadesk.domain.pins import PinPolicy
from mfadesk.domain.securid_credentials import AUTO_WINDOW, CredentialKind
from mfadesk.domain.securid_steps import MAX_PIN_REFUSALS, Pending, Step
from mfadesk.domain.user_events import UserEventReason


@dataclass(frozen=True, slots=True)
class PasscodeCheck:
    """What one credential made of a passcode. Both parts are always checked, so that the time
    an answer takes does not tell which part was wrong.

    ``delta`` is where the tokencode matched, in intervals from the credential's clock (None:
    nowhere, or only at an interval already used); ``interval`` the absolute interval.
    """

    kind: CredentialKind
    serial: str
    delta: int | None
    interval: int | None
    pin_set: bool
    pin_entered: bool
    pin_matches: bool

    @property
    def pin_accepted(self) -> bool:
        """A set PIN must be typed right; a credential without one takes the tokencode alone."""
        return self.pin_matches if self.pin_set else not self.pin_entered

    @property
    def accepted(self) -> bool:
        return self.delta is not None and self.pin_accepted


def best_check(checks: Sequence[PasscodeCheck]) -> PasscodeCheck | None:
    """The accepted check nearest its credential's clock (a user may hold several tokens)."""
    accepted = [c for c in checks if c.accepted]
    return min(accepted, key=lambda c: abs(c.delta or 0), default=None)


def failure_reason(checks: Sequence[PasscodeCheck], replayed: bool) -> UserEventReason:
    """Why no credential took the passcode (for the log only: the answer is the same FAIL)."""
    if any(c.delta is not None for c in checks):
        return UserEventReason.WRONG_PIN
    return UserEventReason.REPLAYED_TOKENCODE if replayed else UserEventReason.WRONG_CREDENTIAL


def proven(
    kind: CredentialKind,
    serial: str,
    interval: int,
    *,
    pin_set: bool,
    pin_policy: Callable[[], PinPolicy],
) -> Verdict:
    """The tokencode (and the PIN, if the credential has one) proved the token: SUCCESS, or,
    for a credential without a PIN where the policy requires one, New PIN mode.
    ``pin_policy`` is read only then."""
    if not pin_set:
        policy = pin_policy()
        if policy.required:
            return Verdict(
                ResponseCode.CHALLENGE,
                UserEventReason.NEW_PIN_REQUIRED,
                serial,
                Pending(Step.NEW_PIN, kind, serial, interval),
                Challenge.new_pin(policy),
            )
    return Verdict(ResponseCode.SUCCESS, UserEventReason.CREDENTIAL_VERIFIED, serial)


def passcode_verdict(
    check: PasscodeCheck, *, needs_next_tokencode: bool, pin_policy: Callable[[], PinPolicy]
) -> Verdict:
    """An accepted passcode: proven within ±1 interval, unless the token drifted further or
    failed repeatedly — then the next tokencode must confirm it."""
    assert check.delta is not None and check.interval is not None
    if abs(check.delta) > AUTO_WINDOW or needs_next_tokencode:
        return Verdict(
            ResponseCode.CHALLENGE,
            UserEventReason.NEXT_TOKENCODE_REQUIRED,
            check.serial,
            Pending(Step.NEXT_TOKENCODE, check.kind, check.serial, check.interval),
            Challenge.of(Method.SECURID_NEXT_TOKENCODE),
        )
    return proven(
        check.kind, check.serial, check.interval, pin_set=check.pin_set, pin_policy=pin_policy
    )


def new_pin_verdict(pending: Pending, policy: PinPolicy, pin: str) -> Verdict:
    """A new PIN that fits the policy is accepted (the caller stores it, then asks for the new
    PIN and a later tokencode); one that does not is asked for again, the third time FAIL."""
    if policy.refusal(pin) is None:
        return Verdict(
            ResponseCode.CHALLENGE,
            UserEventReason.PIN_ACCEPTED,
            pending.serial,
            replace(pending, step=Step.NEW_PIN_PASSCODE, refusals=0),
            Challenge(Method.SECURID, PIN_ACCEPTED_PROMPT),
        )
    refusals = pending.refusals + 1
    if refusals >= MAX_PIN_REFUSALS:
        return Verdict.fail(UserEventReason.PIN_REJECTED, pending.serial)
    return Verdict(
        ResponseCode.CHALLENGE,
        UserEventReason.PIN_REJECTED,
        pending.serial,
        replace(pending, refusals=refusals),
        Challenge.new_pin(policy, again=True),
    )
