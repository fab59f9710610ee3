"""A company's emergency-access settings, changed by the operator on the server's console."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import timedelta

from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.company import Company, EmergencyAccessSettings
from mfadesk.domain.emergency_tokencodes import Expiry
from mfadesk.domain.errors import BadRequest
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


def describe_setting(value: object) -> str:
    """How the command line shows a setting: durations as 7d / 12h / 90m, flags as yes/no."""
    if isinstance(value, timedelta):
        expiry = Expiry.of(value)
        return f"{expiry.value}{expiry.unit.value[0]}"  # days -> d, hours -> h, minutes -> m
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def change_emergency_access(
    uow: UnitOfWork, op: Operator, company: Company, change: SettingsChange
) -> EmergencyAccessSettings:
    """Apply the change (validated as a whole), audited with the operator as the actor."""
    if change.is_empty():
        raise BadRequest("nothing to change: give at least one setting")
    fresh = uow.companies.get(company.id, for_update=True)  # concurrent changes serialise here
    assert fresh is not None
    current = fresh.emergency_access
    asked = {f.name: getattr(change, f.name) for f in fields(change)}
    updated = replace(current, **{k: v for k, v in asked.items() if v is not None})
    differences = [
        f"{name.replace('_', ' ')} {describe_setting(getattr(current, name))} -> "
        f"{describe_setting(getattr(updated, name))}"
        for name in asked
        if getattr(current, name) != getattr(updated, name)
    ]
    if differences:
        uow.companies.save_settings(company.id, updated)
    target = Target(TargetType.COMPANY, company.id, company.name)
    message = (
        "Emergency access settings changed: " + ", ".join(differences)
        if differences
        else "Emergency access settings unchanged"
    )
    action = Action.CHANGE_EMERGENCY_ACCESS_SETTINGS
    op.audit(uow, company, action, target, message, changed=bool(differences))
    return updated
