"""The domain's rules, without any I/O."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from mfadesk.domain.admins import ROLE_PERMISSIONS, Admin, Permission, Role
from mfadesk.domain.clock import SystemRandom, format_timestamp
from mfadesk.domain.company import UNAMBIGUOUS_ALPHANUMERIC, EmergencyAccessSettings
from mfadesk.domain.ds100 import credential_serial
from mfadesk.domain.emergency_tokencodes import parse_expiration_days
from mfadesk.domain.errors import BadRequest, Conflict, Forbidden
from mfadesk.domain.hardware_tokens import HardwareToken, TokenStatus
from mfadesk.otp.emergency import generate_code

NOW = datetime(2026, 11, 22, 7, 10, tzinfo=UTC)


def token(user_id: str | None = "u1", status: TokenStatus = TokenStatus.ENABLED) -> HardwareToken:
    return HardwareToken("123", "c", status, user_id, "123", NOW, "operator")


def test_only_an_assigned_token_moves() -> None:
    with pytest.raises(Conflict, match="not assigned to a user"):
        token(None).with_status("u1", TokenStatus.ENABLED, "a@x", NOW)
    with pytest.raises(Conflict, match="not assigned to user u2"):
        token("u1").with_status("u2", TokenStatus.DISABLED, "a@x", NOW)


def test_status_change_records_who_and_when_and_repeats_change_nothing() -> None:
    later = NOW + timedelta(minutes=1)
    disabled, changed = token().with_status("u1", TokenStatus.DISABLED, "a@x", later)
    assert changed and (disabled.status_changed_by, disabled.status_changed_at) == ("a@x", later)
    same, changed = disabled.with_status("u1", TokenStatus.DISABLED, "b@x", later + timedelta(1))
    assert not changed and same is disabled


@pytest.mark.parametrize(
    ("raw", "days"), [("1", 1), ("7", 7), (3, 3), (" 4", 4), ("07", 7), (2.0, 2)]
)
def test_expiration_days_accepted(raw: object, days: int) -> None:
    assert parse_expiration_days(raw) == timedelta(days=days)


@pytest.mark.parametrize(
    "raw",
    [None, "0", "8", 0, 8, True, False, 2.5, "2.0", "", "x", [1], "\u0667", "\u00b2", "\uff17"],
)  # Arabic-Indic seven, superscript two, full-width seven: digits to `str.isdigit`, not to us
def test_expiration_days_refused(raw: object) -> None:
    with pytest.raises(BadRequest, match=r"^Invalid expiration date\.$"):
        parse_expiration_days(raw)


def test_locked_configuration_wins() -> None:
    unlocked = EmergencyAccessSettings(default_validity=timedelta(days=2))
    locked = EmergencyAccessSettings(locked=True, default_validity=timedelta(days=2))
    assert unlocked.validity_for(timedelta(days=5)) == timedelta(days=5)
    assert unlocked.validity_for(None) == timedelta(days=2)
    assert locked.validity_for(timedelta(days=5)) == timedelta(days=2)
    online, offline = locked.expirations(timedelta(days=2), NOW)
    assert offline - online == timedelta(days=7) and online == NOW + timedelta(days=2)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"default_validity": timedelta(days=8)},
        {"default_validity": timedelta(seconds=30)},
        {"code_length": 4},
        {"alphabet": "ABC"},
        {"alphabet": "AABCDEFGHIJK"},
        {"offline_validity": timedelta(days=-1)},
    ],
)
def test_settings_are_validated(kwargs: dict[str, object]) -> None:
    with pytest.raises(BadRequest):
        EmergencyAccessSettings(**kwargs)  # type: ignore[arg-type]


def test_ds100_credential_serial() -> None:
    assert credential_serial("140100080") == "014010008031"
    with pytest.raises(BadRequest):
        credential_serial("14010008")


def test_help_desk_cannot_delete_or_manage_users_audit_and_settings() -> None:
    helpdesk = Admin("a", "c", "h@x", Role.HELP_DESK_ADMIN)
    helpdesk.require(Permission.MANAGE_HARDWARE_TOKENS)
    for denied in (
        Permission.DELETE_HARDWARE_TOKENS,
        Permission.DELETE_DS100,
        Permission.MANAGE_USER_STATUS,
        Permission.EXPORT_AUDIT,
        Permission.MANAGE_SETTINGS,
    ):
        with pytest.raises(Forbidden, match="Help Desk Admin role is not allowed"):
            helpdesk.require(denied)
    assert ROLE_PERMISSIONS[Role.SUPER_ADMIN] == frozenset(Permission)


def test_codes_are_uniform_over_the_alphabet() -> None:
    counts = Counter(
        "".join(generate_code(SystemRandom(), 8, UNAMBIGUOUS_ALPHANUMERIC) for _ in range(4000))
    )
    assert set(counts) == set(UNAMBIGUOUS_ALPHANUMERIC)
    expected = 32000 / len(UNAMBIGUOUS_ALPHANUMERIC)
    assert all(abs(n - expected) < expected * 0.2 for n in counts.values())


def test_timestamps_have_milliseconds_and_z() -> None:
    assert (
        format_timestamp(datetime(2026, 11, 22, 7, 10, 0, 45678, tzinfo=UTC))
        == "2026-11-22T07:10:00.045Z"
    )
