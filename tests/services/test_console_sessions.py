"""Console sessions are server-side and revocable: a new password or a revoked API key ends
them; timeouts; the second factor turned off signs in with the password alone (audited)."""

from __future__ import annotations

from datetime import timedelta

from mfadesk.api.authn import lockout_policy
from mfadesk.domain.audit import Action, Result
from mfadesk.domain.console_sessions import SessionTimeouts, hash_session_token
from mfadesk.otp.passwords import hash_password
from mfadesk.services.authn_call import AuthnConfig
from mfadesk.services.console_sign_in import (
    Outcome,
    SignInContext,
    current_session,
    sign_in,
    sign_out,
)
from mfadesk.services.operator_console import set_admin_password
from mfadesk.services.provisioning import revoke_api_key
from mfadesk.settings import Settings
from tests.support.desk import Desk

PASSWORD = "a long enough console password"
SUPER = "super@acme.example"
TIMEOUTS = SessionTimeouts(idle=timedelta(minutes=15), absolute=timedelta(hours=8))


def _context(desk: Desk, *, second_factor: bool = False) -> SignInContext:
    config = AuthnConfig.build(desk.env, lockout_policy(Settings()))
    return SignInContext(desk.db, config, second_factor, "192.0.2.7")


def _set_password(desk: Desk, email: str = SUPER) -> None:
    def run(uow, op):  # type: ignore[no-untyped-def]
        company = uow.companies.get(desk.tenant.company_id)
        return set_admin_password(uow, op, company, email, hash_password(PASSWORD))

    desk.transaction(run)


async def _signed_in(desk: Desk) -> str:
    result = await sign_in(_context(desk), SUPER, PASSWORD, "")
    assert result.outcome is Outcome.SIGNED_IN and result.token
    return result.token


async def test_a_new_password_ends_the_sessions(desk: Desk) -> None:
    _set_password(desk)
    token = await _signed_in(desk)
    assert current_session(desk.db, desk.env, token, TIMEOUTS) is not None
    _set_password(desk)
    assert current_session(desk.db, desk.env, token, TIMEOUTS) is None


async def test_revoking_the_admins_api_key_ends_the_sessions(desk: Desk) -> None:
    _set_password(desk)
    token = await _signed_in(desk)
    access_id = desk.tenant.admins["super"].access_id
    desk.transaction(lambda uow, op: revoke_api_key(uow, op, access_id))
    assert current_session(desk.db, desk.env, token, TIMEOUTS) is None


async def test_idle_and_absolute_timeouts(desk: Desk) -> None:
    _set_password(desk)
    token = await _signed_in(desk)
    for _ in range(40):  # seen every 14 minutes: alive until the absolute timeout
        desk.clock.advance(timedelta(minutes=14))
        if current_session(desk.db, desk.env, token, TIMEOUTS) is None:
            break
    with desk.db.unit_of_work() as uow:
        session = uow.console.session(hash_session_token(token))
    assert session is not None
    assert (
        timedelta(hours=7, minutes=40)
        < session.last_seen_at - session.created_at
        < TIMEOUTS.absolute
    )


async def test_sign_in_refusals_and_sign_out_are_audited(desk: Desk) -> None:
    _set_password(desk)
    refused = await sign_in(_context(desk), SUPER, "wrong password, long enough", "")
    assert refused.outcome is Outcome.REFUSED and refused.token is None
    token = await _signed_in(desk)
    sign_out(desk.db, desk.env, token, "192.0.2.7")
    assert current_session(desk.db, desk.env, token, TIMEOUTS) is None
    events = [e.event for e in desk.audited(Action.CONSOLE_SIGN_IN, Action.CONSOLE_SIGN_OUT)]
    assert [(e.action, e.result) for e in events] == [
        (Action.CONSOLE_SIGN_IN, Result.DENIED),
        (Action.CONSOLE_SIGN_IN, Result.SUCCESS),
        (Action.CONSOLE_SIGN_OUT, Result.SUCCESS),
    ]
    assert all(e.admin_email == SUPER and e.source_ip == "192.0.2.7" for e in events)
    assert "second factor off" in events[1].message
    assert all(PASSWORD not in e.message for e in events)


async def test_without_a_user_for_the_admin_the_second_factor_refuses(desk: Desk) -> None:
    _set_password(desk)
    result = await sign_in(_context(desk, second_factor=True), SUPER, PASSWORD, "123456")
    assert result.outcome is Outcome.REFUSED
