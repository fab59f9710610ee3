"""PINs' pure rules: the company policy, passcodes taken apart, the New PIN state machine, and the
keyed digest."""

from __future__ import annotations

import pytest

from mfadesk.domain.authn_methods import Method, ResponseCode, split_passcode
from mfadesk.domain.errors import BadRequest
from mfadesk.domain.pins import PinPolicy, PinRefusal, is_trivial
from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.domain.securid_flow import (
    PasscodeCheck,
    best_check,
    failure_reason,
    new_pin_verdict,
    passcode_verdict,
    proven,
)
from mfadesk.domain.securid_steps import Pending, Step
from mfadesk.domain.user_events import UserEventReason
from mfadesk.otp.pins import pin_digest, pin_matches

NUMERIC = PinPolicy()
ALPHANUMERIC = PinPolicy(min_length=6, max_length=8, alphanumeric=True)


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ({"min_length": 3}, "The PIN minimum length must be between 4 and 8."),
        ({"max_length": 9}, "The PIN maximum length must be between 4 and 8."),
        ({"min_length": 6, "max_length": 5}, "must not exceed the maximum length"),
    ],
)
def test_policy_lengths_are_4_to_8_and_ordered(policy: dict[str, int], message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        PinPolicy(**policy)  # type: ignore[arg-type]


def test_defaults_and_format() -> None:
    assert (NUMERIC.required, NUMERIC.min_length, NUMERIC.max_length) == (True, 4, 8)
    assert NUMERIC.format_regex == "^[0-9]{4,8}$"
    assert ALPHANUMERIC.format_regex == "^[A-Za-z0-9]{6,8}$"


@pytest.mark.parametrize(
    ("policy", "pin", "refusal"),
    [
        (NUMERIC, "2468", None),
        (NUMERIC, "97531", None),
        (NUMERIC, "12345679", None),  # a run broken at the end is fine
        (NUMERIC, "135", PinRefusal.LENGTH),
        (NUMERIC, "135792468", PinRefusal.LENGTH),
        (NUMERIC, "12a4", PinRefusal.CHARACTERS),
        (NUMERIC, "\uff12\uff14\uff16\uff18", PinRefusal.CHARACTERS),  # full-width digits
        (NUMERIC, "1111", PinRefusal.TRIVIAL),
        (NUMERIC, "0123", PinRefusal.TRIVIAL),
        (NUMERIC, "12345678", PinRefusal.TRIVIAL),
        (NUMERIC, "9876", PinRefusal.TRIVIAL),
        (NUMERIC, "3210", PinRefusal.TRIVIAL),
        (ALPHANUMERIC, "ab12CD", None),
        (ALPHANUMERIC, "abc12", PinRefusal.LENGTH),
        (ALPHANUMERIC, "ab-12CD", PinRefusal.CHARACTERS),
        (ALPHANUMERIC, "aaaaaa", PinRefusal.TRIVIAL),
        (ALPHANUMERIC, "456789", PinRefusal.TRIVIAL),
        (ALPHANUMERIC, "abcdef", None),  # only runs of digits are refused
    ],
)
def test_new_pins_the_policy_refuses(policy: PinPolicy, pin: str, refusal: PinRefusal) -> None:
    assert policy.refusal(pin) is refusal
    assert is_trivial(pin) is (refusal is PinRefusal.TRIVIAL)


@pytest.mark.parametrize(
    ("passcode", "parts"),
    [
        ("123456", ("", "123456")),
        ("2468123456", ("2468", "123456")),
        ("Ab12cD34123456", ("Ab12cD34", "123456")),
        ("123123456", None),
        ("2468 123456", None),
    ],
)
def test_passcodes_are_pin_and_tokencode(passcode: str, parts: tuple[str, str] | None) -> None:
    split = split_passcode(passcode, 6)
    assert (None if split is None else (split.pin, split.tokencode)) == parts
    assert passcode not in repr(split)


def check(
    delta: int | None, *, pin_set: bool, entered: bool, matches: bool, serial: str = "1"
) -> PasscodeCheck:
    interval = None if delta is None else 1000 + delta
    return PasscodeCheck(CredentialKind.SID700, serial, delta, interval, pin_set, entered, matches)


def never() -> PinPolicy:
    raise AssertionError("the policy is read only for a credential without a PIN")


def test_which_passcode_a_credential_accepts() -> None:
    assert check(0, pin_set=True, entered=True, matches=True).accepted
    assert not check(0, pin_set=True, entered=True, matches=False).accepted
    assert not check(0, pin_set=True, entered=False, matches=False).accepted
    assert not check(None, pin_set=True, entered=True, matches=True).accepted
    assert check(0, pin_set=False, entered=False, matches=False).accepted
    assert not check(0, pin_set=False, entered=True, matches=False).accepted
    near = check(-1, pin_set=True, entered=True, matches=True, serial="near")
    far = check(3, pin_set=False, entered=False, matches=False, serial="far")
    assert best_check([far, check(0, pin_set=True, entered=True, matches=False), near]) == near
    assert failure_reason([check(0, pin_set=True, entered=True, matches=False)], False) is (
        UserEventReason.WRONG_PIN
    )
    assert failure_reason([check(None, pin_set=True, entered=True, matches=True)], True) is (
        UserEventReason.REPLAYED_TOKENCODE
    )


def test_an_accepted_passcode_leads_to_success_next_tokencode_or_new_pin() -> None:
    with_pin = check(1, pin_set=True, entered=True, matches=True)
    success = passcode_verdict(with_pin, needs_next_tokencode=False, pin_policy=never)
    assert (success.code, success.pending, success.challenge) == (ResponseCode.SUCCESS, None, None)
    drifted = passcode_verdict(
        check(-2, pin_set=True, entered=True, matches=True),
        needs_next_tokencode=False,
        pin_policy=never,
    )
    assert drifted.pending == Pending(Step.NEXT_TOKENCODE, CredentialKind.SID700, "1", 998)
    assert drifted.challenge is not None
    assert drifted.challenge.method is Method.SECURID_NEXT_TOKENCODE
    failing = passcode_verdict(with_pin, needs_next_tokencode=True, pin_policy=never)
    assert failing.code is ResponseCode.CHALLENGE
    no_pin = check(0, pin_set=False, entered=False, matches=False)
    opened = passcode_verdict(no_pin, needs_next_tokencode=False, pin_policy=lambda: NUMERIC)
    assert (opened.code, opened.reason) == (
        ResponseCode.CHALLENGE,
        UserEventReason.NEW_PIN_REQUIRED,
    )
    assert opened.pending == Pending(Step.NEW_PIN, CredentialKind.SID700, "1", 1000)
    assert opened.challenge is not None and opened.challenge.pin_policy == NUMERIC
    optional = PinPolicy(required=False)
    assert proven(
        CredentialKind.DS100, "2", 7, pin_set=False, pin_policy=lambda: optional
    ).code is (ResponseCode.SUCCESS)


def test_new_pin_mode_accepts_or_asks_again_three_times() -> None:
    pending = Pending(Step.NEW_PIN, CredentialKind.DS100, "014010008031", 500)
    accepted = new_pin_verdict(pending, NUMERIC, "2468")
    assert (accepted.code, accepted.reason) == (
        ResponseCode.CHALLENGE,
        UserEventReason.PIN_ACCEPTED,
    )
    assert accepted.pending == Pending(
        Step.NEW_PIN_PASSCODE, CredentialKind.DS100, pending.serial, 500
    )
    assert accepted.pending.method is Method.SECURID
    again = new_pin_verdict(pending, NUMERIC, "1234")
    assert again.pending is not None and again.pending.refusals == 1
    assert again.challenge is not None
    assert again.challenge.prompt.resource_id.endswith("Rejected.Numeric")
    twice = new_pin_verdict(again.pending, NUMERIC, "12")
    assert twice.pending is not None and twice.pending.refusals == 2
    third = new_pin_verdict(twice.pending, NUMERIC, "abcd")
    assert (third.code, third.reason, third.pending) == (
        ResponseCode.FAIL,
        UserEventReason.PIN_REJECTED,
        None,
    )


def test_the_digest_is_keyed_salted_and_compared_whether_or_not_a_pin_is_set() -> None:
    key, salt = b"k" * 32, b"s" * 16
    digest = pin_digest(key, salt, "000100000001", "2468")
    assert pin_matches(key, "000100000001", "2468", salt, digest)
    assert not pin_matches(key, "000100000001", "2469", salt, digest)
    assert not pin_matches(key, "000100000002", "2468", salt, digest)  # bound to its credential
    assert pin_digest(key, b"t" * 16, "000100000001", "2468") != digest
    assert pin_digest(b"K" * 32, salt, "000100000001", "2468") != digest
    assert not pin_matches(key, "000100000001", "", None, None)  # no PIN: never a match
