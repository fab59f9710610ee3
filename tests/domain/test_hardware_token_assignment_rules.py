"""Assignment, unassignment and PIN rules of SID700 tokens, without any I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mfadesk.domain.admins import ROLE_PERMISSIONS, Permission, Role
from mfadesk.domain.errors import Conflict
from mfadesk.domain.hardware_tokens import HardwareToken, TokenStatus

CREATED = datetime(2026, 11, 22, 7, 10, tzinfo=UTC)
NOW = CREATED + timedelta(hours=1)


def spare() -> HardwareToken:
    return HardwareToken("123", "c", TokenStatus.DISABLED, None, None, CREATED, "operator")


def test_assigning_a_spare_enables_it_for_the_user_without_a_pin() -> None:
    assigned, changed = replace(spare(), pin_set=True).assigned("u1", None, "a@x", NOW)
    assert changed
    assert (assigned.user_id, assigned.name, assigned.status) == ("u1", "123", TokenStatus.ENABLED)
    assert (assigned.assigned_by, assigned.assigned_at) == ("a@x", NOW)
    assert (assigned.status_changed_by, assigned.status_changed_at) == ("a@x", NOW)
    assert assigned.pin_set is False


def test_assigning_to_the_same_user_only_renames() -> None:
    assigned, _ = spare().assigned("u1", "Mine", "a@x", NOW)
    later = NOW + timedelta(minutes=5)
    same, changed = assigned.assigned("u1", None, "b@x", later)
    assert not changed and same is assigned
    same, changed = assigned.assigned("u1", "Mine", "b@x", later)
    assert not changed and same is assigned
    renamed, changed = assigned.assigned("u1", "Other", "b@x", later)
    assert changed and renamed == replace(assigned, name="Other")


def test_a_token_of_another_user_is_not_taken() -> None:
    assigned, _ = spare().assigned("u1", None, "a@x", NOW)
    with pytest.raises(Conflict, match=r"^Hardware token 123 is assigned to another user$"):
        assigned.assigned("u2", None, "a@x", NOW)


def test_unassigning_empties_the_token_and_disables_it() -> None:
    assigned, _ = spare().assigned("u1", "Mine", "a@x", NOW)
    later = NOW + timedelta(minutes=5)
    back = replace(assigned, pin_set=True).unassigned("u1", "b@x", later)
    assert back == replace(spare(), status_changed_at=later, status_changed_by="b@x")
    with pytest.raises(Conflict, match="not assigned to a user"):
        back.unassigned("u1", "b@x", later)
    with pytest.raises(Conflict, match="not assigned to user u2"):
        assigned.unassigned("u2", "b@x", later)


def test_unassigning_a_disabled_token_keeps_its_status_change() -> None:
    assigned, _ = spare().assigned("u1", None, "a@x", NOW)
    disabled, _ = assigned.with_status("u1", TokenStatus.DISABLED, "a@x", NOW)
    back = disabled.unassigned("u1", "b@x", NOW + timedelta(minutes=5))
    assert (back.status_changed_by, back.status_changed_at) == ("a@x", NOW)


def test_clearing_the_pin_needs_the_owner_and_repeats_change_nothing() -> None:
    assigned, _ = spare().assigned("u1", None, "a@x", NOW)
    pinned = replace(assigned, pin_set=True)
    cleared, changed = pinned.with_pin_cleared("u1")
    assert changed and cleared.pin_set is False
    same, changed = cleared.with_pin_cleared("u1")
    assert not changed and same is cleared
    with pytest.raises(Conflict):
        pinned.with_pin_cleared("u2")


def test_only_super_admins_delete_authenticators() -> None:
    for permission in (Permission.DELETE_HARDWARE_TOKENS, Permission.DELETE_DS100):
        assert permission in ROLE_PERMISSIONS[Role.SUPER_ADMIN]
        assert permission not in ROLE_PERMISSIONS[Role.HELP_DESK_ADMIN]
    for permission in (Permission.MANAGE_HARDWARE_TOKENS, Permission.MANAGE_DS100):
        assert permission in ROLE_PERMISSIONS[Role.HELP_DESK_ADMIN]
