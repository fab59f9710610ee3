"""The authentication side's pure rules: lockout, verification state, passcodes, attempts."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from mfadesk.domain.authn_attempts import (
    AttemptStatus,
    AuthnAttempt,
    attempt_timeout,
)
from mfadesk.domain.authn_keys import hash_client_key, new_client_key, validate_key_name
from mfadesk.domain.authn_methods import (
    Method,
    ResponseCode,
    next_tokencode_of,
    parse_method,
    tokencode_of,
)
from mfadesk.domain.errors import BadRequest
from mfadesk.domain.lockout import Lockout, LockoutPolicy
from mfadesk.domain.securid_credentials import VerificationState

NOW = datetime(2026, 11, 24, 12, 0, 30, tzinfo=UTC)
POLICY = LockoutPolicy(max_failures=3, duration=timedelta(minutes=10), next_tokencode_after=2)


def failed(times: int, policy: LockoutPolicy = POLICY) -> Lockout:
    lockout = Lockout()
    for _ in range(times):
        lockout = lockout.after_failure(NOW, policy)
    return lockout


def test_lockout_counts_locks_and_expires() -> None:
    assert not failed(2).locked(NOW, POLICY)
    locked = failed(3)
    assert locked == Lockout(3, NOW + timedelta(minutes=10))
    assert locked.locked(NOW + timedelta(minutes=9, seconds=59), POLICY)
    assert not locked.locked(NOW + timedelta(minutes=10), POLICY)
    # Once the lock has passed, the count starts again from zero.
    later = NOW + timedelta(minutes=10)
    assert locked.current(later) == Lockout()
    assert locked.after_failure(later, POLICY) == Lockout(1, None)


def test_lockout_without_duration_waits_for_an_administrator() -> None:
    forever = LockoutPolicy(max_failures=2, duration=None)
    locked = failed(2, forever)
    assert locked == Lockout(2, None)
    assert locked.locked(NOW + timedelta(days=365), forever)


def test_policy_thresholds_must_be_positive() -> None:
    with pytest.raises(ValueError):
        LockoutPolicy(max_failures=0)


def test_verification_state_replay_offset_and_next_tokencode() -> None:
    state = VerificationState(offset=0, last_interval=100)
    assert not state.accepts_interval(100) and state.accepts_interval(101)
    consumed = state.after_consumed(99)
    assert consumed.last_interval == 100  # never moves backwards
    failing = state.after_failure(NOW, POLICY).after_failure(NOW, POLICY)
    assert failing.needs_next_tokencode(POLICY)
    success = failing.after_success(interval=105, now_interval=103)
    assert success == VerificationState(offset=2, last_interval=105)
    assert not success.needs_next_tokencode(POLICY)


@pytest.mark.parametrize(
    ("passcode", "code"),
    [
        ("123456", "123456"),
        (" 123456 ", "123456"),
        ("1234123456", "123456"),
        ("abcd1234123456", "123456"),
        ("12345678123456", "123456"),
        ("123123456", None),  # a 3-character PIN
        ("123456789123456", None),  # a 9-character PIN
        ("12345", None),
        ("12345a", None),
        ("pin!123456", None),
        ("\uff11\uff12\uff13\uff14\uff15\uff16", None),  # full-width digits
    ],
)
def test_tokencode_of_a_passcode(passcode: str, code: str | None) -> None:
    assert tokencode_of(passcode, 6) == code


def test_next_tokencode_has_no_pin_and_methods_parse() -> None:
    assert next_tokencode_of("654321", 6) == "654321"
    assert next_tokencode_of("1234654321", 6) is None
    assert parse_method("securid") is Method.SECURID
    assert parse_method("APPROVE") is None


@pytest.mark.parametrize(
    ("requested", "seconds"),
    [
        (None, 180),
        (1, 1),
        (3600.0, 3600),
        (90.2, 91),  # at least as long as asked
        (0, 1),
        (0.4, 1),
        (-5, 1),
        (-math.inf, 1),
        (3600.5, 3600),
        (3601, 3600),
        (math.inf, 3600),
    ],
)
def test_attempt_timeout_is_brought_within_bounds(requested: float | None, seconds: int) -> None:
    assert attempt_timeout(requested) == seconds


def test_attempt_timeout_is_a_number() -> None:
    with pytest.raises(BadRequest):
        attempt_timeout(math.nan)


def test_attempt_sequence_and_sliding_expiry() -> None:
    attempt = AuthnAttempt(
        id="a",
        company_id="c",
        authn_key_id="k",
        client_id=None,
        subject_name="s",
        user_id="u",
        status=AttemptStatus.CHALLENGE,
        last_message_id="server-1",
        timeout_seconds=60,
        expires_at=NOW + timedelta(seconds=60),
        keep=False,
        created_at=NOW,
    )
    assert attempt.in_sequence("server-1")
    assert not attempt.in_sequence("client-1") and not attempt.in_sequence(None)
    later = NOW + timedelta(seconds=50)
    answered = attempt.answered("server-2", later, AttemptStatus.SUCCESS, succeeded=Method.SECURID)
    assert answered.expires_at == later + timedelta(seconds=60)
    assert answered.successful_methods == (Method.SECURID,)
    assert not answered.open and not answered.in_sequence("server-1")
    assert answered.expired(later + timedelta(seconds=60))
    assert AttemptStatus.CANCELLED.response_code is ResponseCode.FAIL


def test_client_keys() -> None:
    key = new_client_key(bytes(range(32)))
    assert len(key) == 43 and "=" not in key
    assert hash_client_key(key) == hash_client_key(key) != hash_client_key(key + "x")
    assert len(hash_client_key(key)) == 64
    assert validate_key_name("vpn gateway-1") == "vpn gateway-1"
    for bad in ("", " lead", "x" * 129, "tab\there"):
        with pytest.raises(BadRequest):
            validate_key_name(bad)
