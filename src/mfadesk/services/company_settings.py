"""A company's emergency-access settings and PIN policy, changed by the operator on the server's
console."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from typing import Any, TypeVar

from mfadesk.domain.admins import Permission
from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.company import Company, EmergencyAccessSettings
from mfadesk.domain.emergency_tokencodes import Expiry
from mfadesk.domain.errors import BadRequest
from mfadesk.domain.pins import PinPolicy
from mfadesk.services.audit import record_success
from mfadesk.services.authorization import authorize
from mfadesk.services.context import Call
from mfadesk.services.provisioning import Operator
from mfadesk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """What the operator asked to change; None leaves a setting as it is."""

    locked: bool | None = None
    default_validity: timedelta | None = None
    one_time_use: bool | None = None
    code_length: int | None = None
    alphabet: str | None = None
    offline_validity: timedelta | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


@dataclass(frozen=True, slots=True)
class PinPolicyChange:
    """The PIN policy settings the operator asked to change; None leaves one as it is."""

    required: bool | None = None
    min_length: int | None = None
    max_length: int | None = None
    alphanumeric: bool | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


S = TypeVar("S", EmergencyAccessSettings, PinPolicy)


def describe_setting(value: object) -> str:
    """How the command line shows a setting: durations as 7d / 12h / 90m, flags as yes/no."""
    if isinstance(value, timedelta):
        expiry = Expiry.of(value)
        return f"{expiry.value}{expiry.unit.value[0]}"  # days -> d, hours -> h, minutes -> m
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _changed(current: S, change: Any) -> tuple[S, list[str]]:
    """The settings after the change (validated as a whole), and each change in words."""
    asked = {f.name: getattr(change, f.name) for f in fields(change)}
    updated = replace(current, **{k: v for k, v in asked.items() if v is not None})
    differences = [
        f"{name.replace('_', ' ')} {describe_setting(getattr(current, name))} -> "
        f"{describe_setting(getattr(updated, name))}"
        for name in asked
        if getattr(current, name) != getattr(updated, name)
    ]
    return updated, differences


Audit = Callable[[Action, str, bool], None]  # action, message, changed


def _apply(
    uow: UnitOfWork,
    company: Company,
    emergency: SettingsChange,
    pins: PinPolicyChange,
    audit: Audit,
) -> Company:
    if emergency.is_empty() and pins.is_empty():
        raise BadRequest("nothing to change: give at least one setting")
    fresh = uow.companies.get(company.id, for_update=True)  # concurrent changes serialise here
    assert fresh is not None
    if not emergency.is_empty():
        access, differences = _changed(fresh.emergency_access, emergency)
        if differences:
            uow.companies.save_settings(company.id, access)
        message = (
            "Emergency access settings changed: " + ", ".join(differences)
            if differences
            else "Emergency access settings unchanged"
        )
        audit(Action.CHANGE_EMERGENCY_ACCESS_SETTINGS, message, bool(differences))
        fresh = replace(fresh, emergency_access=access)
    if not pins.is_empty():
        policy, differences = _changed(fresh.pin_policy, pins)
        if differences:
            uow.companies.save_pin_policy(company.id, policy)
        message = (
            "PIN policy changed: " + ", ".join(differences)
            if differences
            else "PIN policy unchanged"
        )
        audit(Action.CHANGE_PIN_POLICY, message, bool(differences))
        fresh = replace(fresh, pin_policy=policy)
    return fresh


def change_settings(
    uow: UnitOfWork,
    op: Operator,
    company: Company,
    emergency: SettingsChange,
    pins: PinPolicyChange | None = None,
) -> Company:
    """Apply the changes (each group validated as a whole), audited with the operator as the
    actor: one record per group asked about, naming each change (or saying it changed
    nothing). A refused change leaves everything as it was."""
    target = Target(TargetType.COMPANY, company.id, company.name)

    def audit(action: Action, message: str, changed: bool) -> None:
        op.audit(uow, company, action, target, message, changed=changed)

    return _apply(uow, company, emergency, pins or PinPolicyChange(), audit)


def change_settings_as_admin(
    uow: UnitOfWork, call: Call, emergency: SettingsChange, pins: PinPolicyChange
) -> Company:
    """The same change by a Super Admin (the web console), audited with the admin as actor."""
    first = (
        Action.CHANGE_EMERGENCY_ACCESS_SETTINGS
        if not emergency.is_empty()
        else Action.CHANGE_PIN_POLICY
    )
    target = Target(TargetType.COMPANY, "settings", "settings")
    actor = authorize(uow, call, Permission.MANAGE_SETTINGS, first, target)
    company = uow.companies.get(actor.company_id)
    assert company is not None
    call.target = Target(TargetType.COMPANY, company.id, company.name)

    def audit(action: Action, message: str, changed: bool) -> None:
        call.action = action
        record_success(uow, call, changed=changed, message=message)

    return _apply(uow, company, emergency, pins, audit)
