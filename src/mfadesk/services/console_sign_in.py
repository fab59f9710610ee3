"""Signing in to the web console: the administrator's password, then a SecurID passcode of the
user with the administrator's e-mail, checked by the authentication services `/mfa/v1_1` uses
(PIN, New PIN mode, next tokencode, lockout, the user event log).

The password is verified off the event loop and outside any transaction (Argon2id is slow);
the passcode's check, the session and the audit record are one transaction. A wrong password
never reaches the passcode check (no tokencode is spent, no failure counted).
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, replace
from enum import StrEnum

from mfadesk.domain.admins import Admin
from mfadesk.domain.audit import Action, AuditEvent, Result, Target, TargetType
from mfadesk.domain.authn_attempts import DEFAULT_ATTEMPT_TIMEOUT
from mfadesk.domain.authn_methods import Challenge, Method, ResponseCode, password_method
from mfadesk.domain.console_sessions import (
    TOKEN_BYTES,
    ConsoleSession,
    SessionTimeouts,
    Stage,
    hash_session_token,
)
from mfadesk.domain.users import normalize_email
from mfadesk.otp.passwords import password_matches
from mfadesk.services.authn_attempts import (
    CredentialInput,
    InitializeInput,
    VerifyInput,
    initialize,
    verify,
)
from mfadesk.services.authn_call import AuthnCall, AuthnConfig
from mfadesk.services.context import ServiceEnv
from mfadesk.store.database import Database
from mfadesk.store.unit_of_work import UnitOfWork

REFUSED_MESSAGE = "Wrong e-mail, password or passcode."


class Outcome(StrEnum):
    SIGNED_IN = "signed in"
    CHALLENGED = "challenged"  # the passcode's conversation asks for more (a new PIN, …)
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class SignIn:
    outcome: Outcome
    token: str | None = None  # the new session's cookie value
    challenge: Challenge | None = None


@dataclass(frozen=True, slots=True)
class SignInContext:
    db: Database
    config: AuthnConfig  # the authentication services' runtime (lockout policy, seeds)
    second_factor: bool
    source_ip: str | None

    @property
    def env(self) -> ServiceEnv:
        return self.config.env


def _audit(
    uow: UnitOfWork, env: ServiceEnv, admin: Admin | None, email: str, ip: str | None, **kw: object
) -> None:
    action = kw.get("action", Action.CONSOLE_SIGN_IN)
    assert isinstance(action, Action)
    result = kw.get("result", Result.SUCCESS)
    assert isinstance(result, Result)
    event = AuditEvent(
        occurred_at=env.clock(),
        action=action,
        target=Target(TargetType.CONSOLE, email[:64], email[:320]),
        result=result,
        changed=result is Result.SUCCESS,
        message=str(kw.get("message", "")),
        source_ip=ip,
        company_id=admin.company_id if admin else None,
        admin_email=admin.email if admin else None,
        admin_role=admin.role.value if admin else None,
    )
    uow.audit.append(event, env.random.uuid4())


def _new_token(env: ServiceEnv) -> str:
    return base64.urlsafe_b64encode(env.random.token_bytes(TOKEN_BYTES)).decode().rstrip("=")


def _refuse(ctx: SignInContext, admin: Admin | None, email: str, why: str) -> SignIn:
    with ctx.db.unit_of_work() as uow:
        _audit(uow, ctx.env, admin, email, ctx.source_ip, result=Result.DENIED, message=why)
    return SignIn(Outcome.REFUSED)


def _candidates(db: Database, email: str) -> list[tuple[Admin, str | None]]:
    with db.unit_of_work(readonly=True) as uow:
        return [(a, uow.console.password_hash(a.id)) for a in uow.admins.all_by_email(email)]


def _first_match(candidates: list[tuple[Admin, str | None]], password: str) -> Admin | None:
    """Every candidate is verified (the decoy when there is none), so the time taken does not
    tell whether the e-mail is an administrator's."""
    if not candidates:
        password_matches(None, password)
        return None
    found = None
    for admin, password_hash in candidates:
        if password_matches(password_hash, password) and found is None:
            found = admin
    return found


def _session(
    env: ServiceEnv, admin: Admin, ip: str | None, stage: Stage
) -> tuple[str, ConsoleSession]:
    token, now = _new_token(env), env.clock()
    session = ConsoleSession(hash_session_token(token), admin.id, stage, now, now, ip)
    return token, session


def _start_session(uow: UnitOfWork, ctx: SignInContext, admin: Admin, how: str) -> SignIn:
    token, session = _session(ctx.env, admin, ctx.source_ip, Stage.ACTIVE)
    uow.console.add_session(session)
    _audit(
        uow, ctx.env, admin, admin.email, ctx.source_ip, message=f"Signed in to the console {how}"
    )
    return SignIn(Outcome.SIGNED_IN, token)


def _passcode_step(
    uow: UnitOfWork, ctx: SignInContext, admin: Admin, passcode: str
) -> tuple[SignIn, str | None]:
    call = AuthnCall.console(ctx.config, admin.company_id, ctx.source_ip)
    outcome = initialize(
        uow,
        call,
        InitializeInput(
            subject_name=admin.email,
            message_id=ctx.env.random.uuid4(),
            timeout_seconds=DEFAULT_ATTEMPT_TIMEOUT,
            client_id="console",
            credentials=(CredentialInput(password_method(passcode), passcode),),
        ),
    )
    if outcome.code is ResponseCode.SUCCESS:
        return _start_session(uow, ctx, admin, "with password and passcode"), None
    if outcome.code is ResponseCode.CHALLENGE:
        challenge = outcome.challenges[0]
        token, session = _session(ctx.env, admin, ctx.source_ip, Stage.CHALLENGED)
        session = replace(
            session,
            attempt_id=outcome.attempt_id,
            message_id=outcome.message_id,
            challenge=challenge.method.value,
        )
        uow.console.add_session(session)
        return SignIn(Outcome.CHALLENGED, token, challenge), None
    return SignIn(Outcome.REFUSED), "passcode refused"


async def sign_in(ctx: SignInContext, email: str, password: str, passcode: str) -> SignIn:
    """The first step of a sign-in: e-mail, password and passcode from the form."""
    normalized = normalize_email(email.strip())[:320]
    candidates = await ctx.db.run(_candidates, ctx.db, normalized)
    admin = await asyncio.get_running_loop().run_in_executor(
        ctx.env.hashing, _first_match, candidates, password
    )
    if admin is None:
        known = candidates[0][0] if candidates else None
        return await ctx.db.run(_refuse, ctx, known, normalized, "wrong e-mail or password")

    def second_step() -> tuple[SignIn, str | None]:
        with ctx.db.unit_of_work() as uow:
            if not ctx.second_factor:
                return _start_session(
                    uow, ctx, admin, "with password only (second factor off)"
                ), None
            return _passcode_step(uow, ctx, admin, passcode.strip())

    result, why = await ctx.db.run(second_step)
    if why is not None:
        return await ctx.db.run(_refuse, ctx, admin, admin.email, why)
    return result


async def answer_challenge(ctx: SignInContext, token: str, response: str) -> SignIn:
    """The next step of a challenged sign-in (a new PIN, the next tokencode, the passcode with
    the new PIN): the pending session names the attempt; success makes a new session (a new
    cookie), anything else ends the pending one."""

    def step() -> tuple[SignIn, Admin | None, str | None]:
        with ctx.db.unit_of_work() as uow:
            session = uow.console.session(hash_session_token(token))
            if (
                session is None
                or session.stage is not Stage.CHALLENGED
                or not session.alive(ctx.env.clock(), SessionTimeouts())
            ):
                return SignIn(Outcome.REFUSED), None, "no sign-in waits for this answer"
            admin = uow.admins.get(session.admin_id)
            assert admin is not None and session.attempt_id and session.challenge
            uow.console.remove_session(session.token_hash)
            call = AuthnCall.console(ctx.config, admin.company_id, ctx.source_ip)
            outcome = verify(
                uow,
                call,
                VerifyInput(
                    attempt_id=session.attempt_id,
                    message_id=ctx.env.random.uuid4(),
                    in_response_to=session.message_id,
                    credentials=(CredentialInput(session.challenge, response.strip()),),
                ),
            )
            if outcome.code is ResponseCode.SUCCESS:
                return _start_session(uow, ctx, admin, "with password and passcode"), admin, None
            if outcome.code is ResponseCode.CHALLENGE:
                challenge = outcome.challenges[0]
                new_token, pending = _session(ctx.env, admin, ctx.source_ip, Stage.CHALLENGED)
                pending = replace(
                    pending,
                    created_at=session.created_at,
                    attempt_id=outcome.attempt_id,
                    message_id=outcome.message_id,
                    challenge=challenge.method.value,
                )
                uow.console.add_session(pending)
                return SignIn(Outcome.CHALLENGED, new_token, challenge), admin, None
            return SignIn(Outcome.REFUSED), admin, f"{Method(session.challenge)} refused"

    result, admin, why = await ctx.db.run(step)
    if why is not None:
        email = admin.email if admin else "(unknown)"
        return await ctx.db.run(_refuse, ctx, admin, email, why)
    return result


def sign_out(db: Database, env: ServiceEnv, token: str, source_ip: str | None) -> None:
    with db.unit_of_work() as uow:
        session = uow.console.session(hash_session_token(token))
        if session is None or session.ended_at is not None:
            return
        uow.console.save_session(replace(session, ended_at=env.clock()))
        admin = uow.admins.get(session.admin_id)
        if admin is not None:
            _audit(
                uow,
                env,
                admin,
                admin.email,
                source_ip,
                action=Action.CONSOLE_SIGN_OUT,
                message="Signed out of the console",
            )


@dataclass(frozen=True, slots=True)
class SignedIn:
    admin: Admin
    session: ConsoleSession


def current_session(
    db: Database, env: ServiceEnv, token: str, timeouts: SessionTimeouts
) -> SignedIn | None:
    """The active session the cookie names, seen now (its idle timeout starts again)."""
    with db.unit_of_work() as uow:
        session = uow.console.session(hash_session_token(token))
        now = env.clock()
        if session is None or not session.active(now, timeouts):
            return None
        admin = uow.admins.get(session.admin_id)
        if admin is None:
            return None
        uow.console.save_session(session.seen(now))
        return SignedIn(admin, session)
