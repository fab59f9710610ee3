"""Checking SecurID passcodes (SID700 tokens, DS100 OTP credentials) and next tokencodes.

Runs inside the attempt's transaction with the user's credential rows locked, so two workers
given the same code cannot both accept it: the second sees the first one's last interval.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from mfadesk.domain.authn_attempts import PendingNextTokencode, Verdict
from mfadesk.domain.authn_methods import ResponseCode, next_tokencode_of, tokencode_of
from mfadesk.domain.securid_credentials import (
    AUTO_WINDOW,
    NEXT_TOKENCODE_WINDOW,
    SecurIdCredential,
    VerificationState,
)
from mfadesk.domain.user_events import UserEventReason
from mfadesk.domain.users import User
from mfadesk.otp.seed_cipher import SeedDecryptionError
from mfadesk.otp.tokencodes import Match, TokenGenerator, epoch_seconds, normalize_serial
from mfadesk.services.authn_call import AuthnCall
from mfadesk.store.unit_of_work import UnitOfWork

log = logging.getLogger("mfadesk.authn")


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
    uow: UnitOfWork, call: AuthnCall, user: User
) -> tuple[list[_Candidate], UserEventReason | None]:
    """The user's credentials that may take a code now (locked), or why there are none."""
    today, policy = call.now.date(), call.config.lockout
    usable = [
        c
        for c in uow.securid_credentials.of_user(user.company_id, user.id, for_update=True)
        if c.usable(today)
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


def verify_passcode(uow: UnitOfWork, call: AuthnCall, user: User, passcode: str) -> Verdict:
    """``SECURID``: [PIN] + tokencode of one of the user's enabled credentials."""
    candidates, problem = _candidates(uow, call, user)
    if problem is not None:
        check_decoy(call, passcode)
        return Verdict.fail(problem)
    epoch, policy = epoch_seconds(call.now), call.config.lockout
    best: tuple[_Candidate, Match] | None = None
    for candidate in candidates:
        match = _search(
            candidate, tokencode_of(passcode, candidate.credential.digits), epoch, replays=False
        )
        if match is not None and (best is None or abs(match.delta) < abs(best[1].delta)):
            best = (candidate, match)
    if best is None:
        replayed = any(
            _search(c, tokencode_of(passcode, c.credential.digits), epoch, replays=True)
            for c in candidates
        )
        for candidate in candidates:
            uow.securid_credentials.save_state(
                candidate.credential, candidate.state.after_failure(call.now, policy)
            )
        reason = (
            UserEventReason.REPLAYED_TOKENCODE if replayed else UserEventReason.WRONG_CREDENTIAL
        )
        return Verdict.fail(reason)
    candidate, match = best
    credential, state = candidate.credential, candidate.state
    if abs(match.delta) <= AUTO_WINDOW and not state.needs_next_tokencode(policy):
        now_interval = candidate.generator.interval_index(epoch)
        uow.securid_credentials.save_state(
            credential, state.after_success(match.interval_index, now_interval)
        )
        return Verdict(ResponseCode.SUCCESS, UserEventReason.CREDENTIAL_VERIFIED, credential.serial)
    uow.securid_credentials.save_state(credential, state.after_consumed(match.interval_index))
    pending = PendingNextTokencode(credential.kind, credential.serial, match.interval_index)
    return Verdict(
        ResponseCode.CHALLENGE,
        UserEventReason.NEXT_TOKENCODE_REQUIRED,
        credential.serial,
        pending,
    )


def check_decoy(call: AuthnCall, passcode: str) -> None:
    """The work of a passcode that matches one credential nowhere in the window (its seed
    decrypted, the window searched, then searched again for a replay), done on the decoy for a
    check that has no credential to look at: an unknown, disabled or locked user, a user without
    usable credentials or with only locked ones. Their FAIL then takes as long as a wrong
    code's, and does not tell who exists (see docs/decisions.md, "Timing")."""
    decoy = call.config.decoy
    generator = _generator(call, decoy)
    assert generator is not None
    candidate = _Candidate(decoy, decoy.state, generator)
    code, epoch = tokencode_of(passcode, decoy.digits), epoch_seconds(call.now)
    _search(candidate, code, epoch, replays=False)
    _search(candidate, code, epoch, replays=True)


def verify_next_tokencode(
    uow: UnitOfWork, call: AuthnCall, user: User, pending: PendingNextTokencode, value: str
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
            return Verdict(
                ResponseCode.SUCCESS, UserEventReason.CREDENTIAL_VERIFIED, credential.serial
            )
    uow.securid_credentials.save_state(credential, state.after_failure(call.now, policy))
    return Verdict.fail(UserEventReason.WRONG_NEXT_TOKENCODE, credential.serial)
