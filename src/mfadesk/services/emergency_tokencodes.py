"""Emergency tokencode use cases.

Issuing runs in three steps so that the slow offline hash never holds a transaction (nor, on
SQLite, the event loop): check the request (one short transaction), hash on the hashing pool,
then store and audit (a second transaction that checks everything again).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from mfadesk.domain.admins import Permission
from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.company import EmergencyAccessSettings
from mfadesk.domain.emergency_tokencodes import EmergencyStatus, EmergencyTokencode
from mfadesk.domain.errors import NotFound
from mfadesk.otp.emergency import generate_code, make_offline_verifier, online_hash
from mfadesk.services.audit import record_success, run_use_case
from mfadesk.services.authorization import authorize
from mfadesk.services.context import Call
from mfadesk.services.lookups import require_user
from mfadesk.store.database import Database
from mfadesk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class EmergencyRequest:
    """What the administrator asked for; None means "the company default"."""

    validity: timedelta | None = None
    one_time_use: bool | None = None


@dataclass(frozen=True, slots=True)
class IssuedEmergencyTokencode:
    """The only object that ever holds a readable emergency tokencode."""

    id: str
    code: str
    expires_at: datetime
    offline_expires_at: datetime
    validity: timedelta
    one_time_use: bool
    configuration_locked: bool


def _user_target(user_id: str) -> Target:
    return Target(TargetType.USER, user_id, user_id)


def _check_issue(uow: UnitOfWork, call: Call, user_id: str) -> EmergencyAccessSettings:
    actor = authorize(
        uow,
        call,
        Permission.MANAGE_EMERGENCY_TOKENCODES,
        Action.ENABLE_EMERGENCY_TOKENCODE,
        _user_target(user_id),
    )
    require_user(uow, actor, user_id).require_enabled()
    company = uow.companies.get(actor.company_id)
    assert company is not None
    return company.emergency_access


def _store_issue(
    uow: UnitOfWork,
    call: Call,
    user_id: str,
    request: EmergencyRequest,
    code: str,
    offline_verifier: str,
) -> IssuedEmergencyTokencode:
    settings = _check_issue(uow, call, user_id)
    validity = settings.validity_for(request.validity)
    one_time_use = (
        settings.one_time_use
        if settings.locked or request.one_time_use is None
        else request.one_time_use
    )
    expires_at, offline_expires_at = settings.expirations(validity, call.now)
    # A new code is meant to let the user in: it clears the user's count of failed
    # authentications too (the user's row before the codes', as a verification locks them).
    assert call.actor is not None
    cleared = uow.users.clear_authn_lockout(call.actor.company_id, user_id)
    replaced = uow.emergency_tokencodes.disable_all(user_id)
    issued = EmergencyTokencode(
        id=call.env.random.uuid4(),
        user_id=user_id,
        company_id=call.actor.company_id,
        online_hash=online_hash(call.env.keys.emergency_hmac, user_id, code),
        offline_verifier=offline_verifier,
        expires_at=expires_at,
        offline_expires_at=offline_expires_at,
        status=EmergencyStatus.ENABLED,
        one_time_use=one_time_use,
        created_at=call.now,
    )
    uow.emergency_tokencodes.add(issued)
    message = (
        f"Emergency tokencode {issued.id} issued to user {user_id}, valid {validity}"
        f"{', one-time use' if one_time_use else ''}"
        f"{f', replacing {replaced} earlier code(s)' if replaced else ''}"
        f"{'; failed authentications cleared' if cleared else ''}"
    )
    record_success(uow, call, changed=True, message=message)
    return IssuedEmergencyTokencode(
        id=issued.id,
        code=code,
        expires_at=expires_at,
        offline_expires_at=offline_expires_at,
        validity=validity,
        one_time_use=one_time_use,
        configuration_locked=settings.locked,
    )


async def issue_emergency_tokencode(
    db: Database, call: Call, user_id: str, request: EmergencyRequest
) -> IssuedEmergencyTokencode:
    """Issue a new code for the user, replacing the current one."""
    settings = await db.run(run_use_case, db.unit_of_work, _check_issue, call, user_id)
    env = call.env
    code = generate_code(env.random, settings.code_length, settings.alphabet)
    verifier = await asyncio.get_running_loop().run_in_executor(
        env.hashing, make_offline_verifier, code, env.random, env.offline_cost_log2
    )
    return await db.run(
        run_use_case, db.unit_of_work, _store_issue, call, user_id, request, code, verifier
    )


def disable_emergency_tokencodes(uow: UnitOfWork, call: Call, user_id: str, code_id: str) -> None:
    """Take all of the user's codes out of online use. Offline bundles live on to their expiry."""
    target = Target(TargetType.EMERGENCY_TOKENCODE, code_id[:64], user_id)
    actor = authorize(
        uow,
        call,
        Permission.MANAGE_EMERGENCY_TOKENCODES,
        Action.DISABLE_EMERGENCY_TOKENCODE,
        target,
    )
    require_user(uow, actor, user_id)
    if uow.emergency_tokencodes.get(user_id, code_id) is None:
        raise NotFound(f"Emergency tokencode {code_id} not found for user {user_id}")
    disabled = uow.emergency_tokencodes.disable_all(user_id)
    message = (
        f"{disabled} emergency tokencode(s) of user {user_id} disabled"
        if disabled
        else f"Emergency tokencodes of user {user_id} already disabled"
    )
    record_success(uow, call, changed=disabled > 0, message=message)
