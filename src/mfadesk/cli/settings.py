"""`mfadesk settings …`: a company's emergency-access settings (honoured by v1 and v2) and its
SecurID PIN policy (honoured by New PIN mode)."""

from __future__ import annotations

import re
from datetime import timedelta

import click

from mfadesk.cli.runtime import CommandError, emit_json, runtime
from mfadesk.domain.company import Company
from mfadesk.services.company_settings import (
    PinPolicyChange,
    SettingsChange,
    change_settings,
    describe_setting,
)
from mfadesk.services.provisioning import Operator, resolve_company
from mfadesk.store.unit_of_work import UnitOfWork

_DURATION = re.compile(r"(\d{1,6})([dhm])", re.IGNORECASE)
_UNIT_MINUTES = {"d": 24 * 60, "h": 60, "m": 1}


def parse_duration(option: str, raw: str | None) -> timedelta | None:
    """``7d``, ``12h`` or ``90m``."""
    if raw is None:
        return None
    match = _DURATION.fullmatch(raw.strip())
    if match is None:
        raise CommandError(f"{option} must be a number of days, hours or minutes: 7d, 12h, 90m")
    return timedelta(minutes=int(match[1]) * _UNIT_MINUTES[match[2].lower()])


def parse_whole_number(option: str, raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.strip().isdigit() or not raw.strip().isascii():
        raise CommandError(f"{option} must be a whole number")
    return int(raw.strip())


def _as_json(company: Company) -> dict[str, object]:
    settings, pins = company.emergency_access, company.pin_policy
    return {
        "company": company.name,
        "locked": settings.locked,
        "defaultValidity": describe_setting(settings.default_validity),
        "oneTimeUse": settings.one_time_use,
        "codeLength": settings.code_length,
        "alphabet": settings.alphabet,
        "offlineValidity": describe_setting(settings.offline_validity),
        "pinRequired": pins.required,
        "pinMinLength": pins.min_length,
        "pinMaxLength": pins.max_length,
        "pinAlphanumeric": pins.alphanumeric,
    }


def _print(company: Company, as_json: bool) -> None:
    if as_json:
        emit_json(_as_json(company))
        return
    settings, pins = company.emergency_access, company.pin_policy
    click.echo(f"emergency access settings of {company.name}:")
    click.echo(f"  locked            {describe_setting(settings.locked)}")
    click.echo(f"  default validity  {describe_setting(settings.default_validity)}")
    click.echo(f"  one-time use      {describe_setting(settings.one_time_use)}")
    click.echo(f"  code length       {settings.code_length}")
    click.echo(f"  alphabet          {settings.alphabet}")
    click.echo(f"  offline validity  {describe_setting(settings.offline_validity)}")
    click.echo(f"SecurID PIN policy of {company.name}:")
    click.echo(f"  required          {describe_setting(pins.required)}")
    click.echo(f"  length            {pins.min_length} to {pins.max_length}")
    click.echo(f"  characters        {'letters and digits' if pins.alphanumeric else 'digits'}")


@click.group("settings")
def settings_group() -> None:
    """Company emergency-access settings (a locked configuration overrides API requests) and
    SecurID PIN policy."""


@settings_group.command("show")
@click.option("--company", default=None, help="Company name (default: the only one).")
@click.option("--json", "as_json", is_flag=True)
def show(company: str | None, as_json: bool) -> None:
    """Show the emergency-access settings and the PIN policy."""
    with runtime() as rt:
        found = rt.transaction(lambda uow, op: resolve_company(uow, company))
    _print(found, as_json)


@settings_group.command("set")
@click.option("--company", default=None, help="Company name (default: the only one).")
@click.option(
    "--locked/--unlocked", default=None, help="Locked: company values override API requests."
)
@click.option("--default-validity", default=None, help="Online validity when none is asked: 7d.")
@click.option("--one-time-use/--reusable", default=None, help="Codes work once / until expiry.")
@click.option("--code-length", default=None, help="Characters per code, 6 to 32.")
@click.option(
    "--alphabet", default=None, help="Letters and digits codes are drawn from (at least 10)."
)
@click.option("--offline-validity", default=None, help="Offline use beyond the online expiry.")
@click.option(
    "--pin-required/--pin-optional",
    default=None,
    help="A credential without a PIN enters New PIN mode / takes the tokencode alone.",
)
@click.option("--pin-min-length", default=None, help="Shortest new PIN, 4 to 8.")
@click.option("--pin-max-length", default=None, help="Longest new PIN, 4 to 8.")
@click.option(
    "--pin-alphanumeric/--pin-numeric",
    default=None,
    help="New PINs of letters and digits / of digits only.",
)
@click.option("--json", "as_json", is_flag=True)
def set_(
    company: str | None,
    locked: bool | None,
    default_validity: str | None,
    one_time_use: bool | None,
    code_length: str | None,
    alphabet: str | None,
    offline_validity: str | None,
    pin_required: bool | None,
    pin_min_length: str | None,
    pin_max_length: str | None,
    pin_alphanumeric: bool | None,
    as_json: bool,
) -> None:
    """Change emergency-access settings or the PIN policy; the others keep their values."""
    change = SettingsChange(
        locked=locked,
        default_validity=parse_duration("--default-validity", default_validity),
        one_time_use=one_time_use,
        code_length=parse_whole_number("--code-length", code_length),
        alphabet=alphabet,
        offline_validity=parse_duration("--offline-validity", offline_validity),
    )
    pins = PinPolicyChange(
        required=pin_required,
        min_length=parse_whole_number("--pin-min-length", pin_min_length),
        max_length=parse_whole_number("--pin-max-length", pin_max_length),
        alphanumeric=pin_alphanumeric,
    )
    with runtime() as rt:

        def apply(uow: UnitOfWork, op: Operator) -> Company:
            return change_settings(uow, op, resolve_company(uow, company), change, pins)

        updated = rt.transaction(apply)
    _print(updated, as_json)
