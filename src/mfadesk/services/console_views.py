"""What the console's pages show, read in one transaction each and authorised like the API's
reads (the caller's role, the caller's company)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mfadesk.domain.admins import Admin, ApiKey, Permission
from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.company import Company
from mfadesk.domain.errors import NotFound
from mfadesk.domain.lockout import LockoutPolicy
from mfadesk.domain.user_events import StoredUserEvent
from mfadesk.services.audit import record_success
from mfadesk.services.authorization import authorize
from mfadesk.services.context import Call
from mfadesk.services.lookups import require_user
from mfadesk.services.user_devices import UserDevices, list_user_devices
from mfadesk.services.users import UserDetails, details_of
from mfadesk.store.unit_of_work import UnitOfWork

RECENT_EVENTS = 20
SPARE_TOKENS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class UserOverview:
    details: UserDetails
    devices: UserDevices
    locked_tokens: set[str]  # serials of the user's tokens locked by failed passcodes
    locked: bool
    recent_events: list[StoredUserEvent]
    spare_tokens: list[str]


def user_overview(
    uow: UnitOfWork, call: Call, user_id: str, lockout: LockoutPolicy
) -> UserOverview:
    devices = list_user_devices(uow, call, user_id)
    actor = call.actor
    assert actor is not None
    user = require_user(uow, actor, user_id)
    now = call.now
    locked_tokens = {
        c.serial
        for c in uow.securid_credentials.of_user(actor.company_id, user.id)
        if c.state.current(now).locked(now, lockout)
    }
    return UserOverview(
        details=details_of(uow, user, call.now),
        devices=devices,
        locked_tokens=locked_tokens,
        locked=user.authn_lockout.current(call.now).locked(call.now, lockout),
        recent_events=uow.console_reads.recent_events_of_user(
            actor.company_id, user.id, RECENT_EVENTS
        ),
        spare_tokens=uow.console_reads.spare_tokens(actor.company_id, SPARE_TOKENS_SHOWN),
    )


@dataclass(frozen=True, slots=True)
class Dashboard:
    hours: list[datetime]  # the start of each of the last 24 hours
    successes: list[int]
    failures: list[int]
    locked_users: int
    tokens_by_status: dict[str, int]


def dashboard(uow: UnitOfWork, call: Call, lockout: LockoutPolicy) -> Dashboard:
    target = Target(TargetType.CONSOLE, "dashboard", "dashboard")
    actor = authorize(uow, call, Permission.READ_USERS, Action.LOOKUP_USER, target)
    now = call.now
    first = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    hours = [first + timedelta(hours=n) for n in range(24)]
    successes, failures = [0] * 24, [0] * 24
    for occurred_at, result in uow.console_reads.event_times(actor.company_id, first):
        index = int((occurred_at - first) // timedelta(hours=1))
        if 0 <= index < 24:
            (successes if result == "SUCCESS" else failures)[index] += 1
    return Dashboard(
        hours=hours,
        successes=successes,
        failures=failures,
        locked_users=uow.console_reads.locked_users(actor.company_id, lockout.max_failures, now),
        tokens_by_status=uow.console_reads.tokens_by_status(actor.company_id),
    )


@dataclass(frozen=True, slots=True)
class AdminKeys:
    admin: Admin
    keys: list[tuple[ApiKey, str, datetime]]


def company_overview(uow: UnitOfWork, call: Call) -> tuple[Company, list[AdminKeys]]:
    """The company's settings and its administrators' API keys (Super Admin)."""
    target = Target(TargetType.COMPANY, "settings", "settings")
    actor = authorize(uow, call, Permission.MANAGE_SETTINGS, Action.LOOKUP_USER, target)
    company = uow.companies.get(actor.company_id)
    assert company is not None
    admins = [AdminKeys(a, uow.admins.keys_of(a.id)) for a in uow.admins.of_company(company.id)]
    return company, admins


def revoke_admin_key(uow: UnitOfWork, call: Call, access_id: str) -> None:
    """A Super Admin revokes an API key of an administrator of the company; the key's owner's
    console sessions end with it."""
    target = Target(TargetType.ADMIN, access_id[:64], access_id[:320])
    actor = authorize(uow, call, Permission.MANAGE_SETTINGS, Action.REVOKE_API_KEY, target)
    found = uow.admins.by_access_id(access_id)
    if found is None or found[0].company_id != actor.company_id:
        raise NotFound(f"API key {access_id} not found")
    owner = found[0]
    changed = uow.admins.revoke_key(access_id, call.now)
    if changed:
        uow.console.end_sessions_of(owner.id, call.now)
    message = f"API key {access_id} of {owner.email} " + (
        "revoked" if changed else "already revoked"
    )
    record_success(uow, call, changed=changed, message=message)
