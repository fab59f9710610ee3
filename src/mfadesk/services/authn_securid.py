"""Checking SecurID passcodes (SID700 tokens, DS100 OTP credentials) and next tokencodes.

Runs inside the attempt's transaction with the user's credential rows locked, so two workers
given the same code cannot both accept it: the second sees the first one's last interval.
Where a check leads (success, next tokencode, New PIN mode) is ``domain.securid_flow``'s to say.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from mfadesk.domain.authn_attempts import Verdict
from mfadesk.domain.authn_methods import next_tokencode_of, split_passcode, tokencode_of
from mfadesk.domain.pins import PinPolicy
from mfadesk.domain.securid_credentials import (
    NEXT_TOKENCODE_WINDOW,
    SecurIdCredential,
    VerificationState,
)
from mfadesk.domain.securid_flow import (
    PasscodeCheck,
    best_check,
    failure_reason,
    passcode_verdict,
    proven,
)
from mfadesk.domain.securid_steps import Pending, Step
from mfadesk.domain.user_events import UserEventReason
from mfadesk.domain.users import User
from mfadesk.otp.pins import pin_matches
from mfadesk.otp.seed_cipher import SeedDecryptionError
from mfadesk.otp.tokencodes import Match, TokenGenerator, epoch_seconds, normalize_serial
from mfadesk.services.authn_call import AuthnCall
from mfadesk.store.unit_of_work import UnitOfWork

log = logging.getLogger("mfadesk.authn")
# Where the decoy's failure is written: no credential has this serial (serials are digits), so
# the UPDATE a real failure runs matches no row and changes nothing.
NO_CREDENTIAL_SERIAL = ""


@dataclass(frozen=True, slots=True)
class _Candidate:
    credential: SecurIdCredential
    state: VerificationState
    generator: TokenGenerator


def _generator(call: AuthnCall, credential: SecurIdCredential) -> TokenGenerator | None:
    assert credential.seed_ciphertext is not None
    try:
        seed = call.config.seeds.decrypt(credential.serial, credential.seed_ciphertext)
        return TokenGenerator(
            seed,
            normalize_serial(credential.serial),
            credential.digits,
            credential.interval_seconds,
        )
    except SeedDecryptionError:
        log.warning("seed of %s %s does not decrypt", credential.kind, credential.serial)
    except ValueError:
        log.warning("%s %s cannot produce tokencodes", credential.kind, credential.serial)
    return None


def _candidates(
    uow: UnitOfWork, call: AuthnCall, user: User, only: Pending | None = None
) -> tuple[list[_Candidate], UserEventReason | None]:
    """The user's credentials that may take a code now (locked), or why there are none;
    ``only`` limits them to the credential a step is about."""
    today, policy = call.now.date(), call.config.lockout
    usable = [
        c
        for c in uow.securid_credentials.of_user(user.company_id, user.id, for_update=True)
        if c.usable(today) and (only is None or (c.kind, c.serial) == (only.kind, only.serial))
    ]
    candidates: list[_Candidate] = []
    locked = False
    for credential in usable:
        state = credential.state.current(call.now)
        if state.locked(call.now, policy):
            locked = True
            continue
        generator = _generator(call, credential)
        if generator is not None:
            candidates.append(_Candidate(credential, state, generator))
    if candidates:
        return candidates, None
    return [], (
        UserEventReason.CREDENTIAL_LOCKED if locked else UserEventReason.NO_USABLE_CREDENTIAL
    )


def has_usable_securid(uow: UnitOfWork, call: AuthnCall, user: User) -> bool:
    today = call.now.date()
    return any(c.usable(today) for c in uow.securid_credentials.of_user(user.company_id, user.id))


def pin_policy_of(uow: UnitOfWork, user: User) -> PinPolicy:
    company = uow.companies.get(user.company_id)
    assert company is not None
    return company.pin_policy


def _search(candidate: _Candidate, code: str | None, epoch: int, *, replays: bool) -> Match | None:
    if code is None:
        return None
    return candidate.generator.find_match(
        code,
        epoch,
        offset_intervals=candidate.state.offset,
        window=NEXT_TOKENCODE_WINDOW,
        after_interval=None if replays else candidate.state.last_interval,
    )


def _check(call: AuthnCall, candidate: _Candidate, passcode: str, epoch: int) -> PasscodeCheck:
    """Both parts, always: the PIN's digest even when the credential has no PIN or the
    tokencode is wrong, the tokencode even when the PIN is wrong."""
    credential = candidate.credential
    parts = split_passcode(passcode, credential.digits)
    pin = credential.pin
    pin_right = pin_matches(
        call.env.keys.pin_hmac,
        credential.serial,
        parts.pin if parts else "",
        pin.salt if pin else None,
        pin.digest if pin else None,
    )
    match = _search(candidate, parts.tokencode if parts else None, epoch, replays=False)
    return PasscodeCheck(
        credential.kind,
        credential.serial,
        match.delta if match else None,
        match.interval_index if match else None,
        pin_set=pin is not None,
        pin_entered=bool(parts and parts.pin),
        pin_matches=pin_right,
    )


def _save_verified(
    uow: UnitOfWork, call: AuthnCall, candidate: _Candidate, verdict: Verdict, interval: int
) -> None:
    """A challenge for the next tokencode spends the code; otherwise the token is proven (a
    success, or New PIN mode): its clock is learned and its failures forgiven."""
    credential, state = candidate.credential, candidate.state
    if verdict.pending is not None and verdict.pending.step is Step.NEXT_TOKENCODE:
        uow.securid_credentials.save_state(credential, state.after_consumed(interval))
        return
    now_interval = candidate.generator.interval_index(epoch_seconds(call.now))
    uow.securid_credentials.save_state(credential, state.after_success(interval, now_interval))


def verify_passcode(
    uow: UnitOfWork, call: AuthnCall, user: User, passcode: str, only: Pending | None = None
) -> Verdict:
    """``SECURID``: [PIN] + tokencode of one of the user's enabled credentials (of the one
    ``only`` names, when the new PIN and a later tokencode complete New PIN mode)."""
    candidates, problem = _candidates(uow, call, user, only)
    if problem is not None:
        check_decoy(uow, call, passcode)
        return Verdict.fail(problem)
    epoch, policy = epoch_seconds(call.now), call.config.lockout
    checks = [_check(call, candidate, passcode, epoch) for candidate in candidates]
    best = best_check(checks)
    if best is None:
        # Every candidate is searched (no short cut): a wrong PIN costs what a wrong code does.
        replays = [
            _search(c, tokencode_of(passcode, c.credential.digits), epoch, replays=True)
            for c in candidates
        ]
        for candidate in candidates:
            uow.securid_credentials.save_state(
                candidate.credential, candidate.state.after_failure(call.now, policy)
            )
        return Verdict.fail(failure_reason(checks, any(replays)))
    candidate = candidates[checks.index(best)]
    verdict = passcode_verdict(
        best,
        needs_next_tokencode=candidate.state.needs_next_tokencode(policy),
        pin_policy=lambda: pin_policy_of(uow, user),
    )
    assert best.interval is not None
    _save_verified(uow, call, candidate, verdict, best.interval)
    return verdict


def check_decoy(uow: UnitOfWork, call: AuthnCall, passcode: str) -> None:
    """The work of a passcode that matches one credential nowhere in the window (its seed
    decrypted, its PIN digest computed and compared, the window searched, then searched again
    for a replay, its failure written), done on the decoy for a check that has no credential to
    look at: an unknown, disabled or locked user, a user without usable credentials or with
    only locked ones. Their FAIL then takes as long as a wrong code's, and does not tell who
    exists (see docs/decisions.md, "Timing"). The failure is written to no row."""
    decoy = call.config.decoy
    generator = _generator(call, decoy)
    assert generator is not None
    candidate = _Candidate(decoy, decoy.state, generator)
    epoch, policy = epoch_seconds(call.now), call.config.lockout
    _check(call, candidate, passcode, epoch)
    _search(candidate, tokencode_of(passcode, decoy.digits), epoch, replays=True)
    uow.securid_credentials.save_state(
        replace(decoy, serial=NO_CREDENTIAL_SERIAL), decoy.state.after_failure(call.now, policy)
    )


def verify_next_tokencode(
    uow: UnitOfWork, call: AuthnCall, user: User, pending: Pending, value: str
) -> Verdict:
    """``SECURID_NEXT_TOKENCODE``: exactly the code after the one that raised the challenge."""
    credential = uow.securid_credentials.get(
        user.company_id, user.id, pending.kind, pending.serial, for_update=True
    )
    if credential is None or not credential.usable(call.now.date()):
        return Verdict.fail(UserEventReason.NO_USABLE_CREDENTIAL, pending.serial)
    policy = call.config.lockout
    state = credential.state.current(call.now)
    if state.locked(call.now, policy):
        return Verdict.fail(UserEventReason.CREDENTIAL_LOCKED, pending.serial)
    generator = _generator(call, credential)
    if generator is None:
        return Verdict.fail(UserEventReason.NO_USABLE_CREDENTIAL, pending.serial)
    expected = pending.interval + 1
    code = next_tokencode_of(value, credential.digits)
    if code is not None and state.accepts_interval(expected):
        match = generator.find_match(
            code, expected * credential.interval_seconds, window=0, after_interval=None
        )
        if match is not None:
            now_interval = generator.interval_index(epoch_seconds(call.now))
            uow.securid_credentials.save_state(
                credential, state.after_success(expected, now_interval)
            )
            return proven(
                credential.kind,
                credential.serial,
                expected,
                pin_set=credential.pin is not None,
                pin_policy=lambda: pin_policy_of(uow, user),
            )
    uow.securid_credentials.save_state(credential, state.after_failure(call.now, policy))
    return Verdict.fail(UserEventReason.WRONG_NEXT_TOKENCODE, credential.serial)
