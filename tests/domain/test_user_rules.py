"""Rules of users, v2 emergency expiries and company settings, without any I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mfadesk.domain.admins import ROLE_PERMISSIONS, Permission, Role
from mfadesk.domain.company import EmergencyAccessSettings
from mfadesk.domain.emergency_tokencodes import (
    Expiry,
    ExpiryUnit,
    parse_expiry,
    parse_one_time_use,
)
from mfadesk.domain.errors import BadRequest, Conflict
from mfadesk.domain.users import (
    DEFAULT_SEARCH_PAGE_SIZE,
    MAX_SEARCH_PAGE_SIZE,
    User,
    UserStatus,
    parse_mark_deleted,
    parse_user_status,
)
from mfadesk.wire.users import UserSearchQuery

NOW = datetime(2026, 11, 22, 7, 10, tzinfo=UTC)


def user(status: UserStatus = UserStatus.ENABLED, mark_deleted: bool = False) -> User:
    return User("u1", "c", "a@x", "A", "X", status, mark_deleted)


def test_status_changes_and_repeats() -> None:
    disabled, changed = user().with_status(UserStatus.DISABLED)
    assert changed and disabled.status is UserStatus.DISABLED
    same, changed = disabled.with_status(UserStatus.DISABLED)
    assert not changed and same is disabled


def test_a_user_pending_deletion_cannot_be_enabled_but_may_stay_disabled() -> None:
    pending = user(UserStatus.DISABLED, mark_deleted=True)
    with pytest.raises(Conflict, match="marked deleted"):
        pending.with_status(UserStatus.ENABLED)
    assert pending.with_status(UserStatus.DISABLED) == (pending, False)


def test_mark_deleted_needs_a_disabled_unmarked_user_and_records_who_and_when() -> None:
    with pytest.raises(Conflict, match="is enabled"):
        user().with_mark_deleted(True, "s@x", NOW)
    marked = user(UserStatus.DISABLED).with_mark_deleted(True, "s@x", NOW)
    assert (marked.mark_deleted, marked.mark_deleted_at, marked.mark_deleted_by) == (
        True,
        NOW,
        "s@x",
    )
    with pytest.raises(Conflict, match="already marked deleted"):
        marked.with_mark_deleted(True, "s@x", NOW)
    back = marked.with_mark_deleted(False, "s@x", NOW)
    assert (back.mark_deleted, back.mark_deleted_at, back.mark_deleted_by) == (False, None, None)
    with pytest.raises(Conflict, match="is not marked deleted"):
        back.with_mark_deleted(False, "s@x", NOW)


def test_status_and_mark_parsing() -> None:
    assert parse_user_status(" disabled") is UserStatus.DISABLED
    assert parse_mark_deleted("TRUE") is True and parse_mark_deleted(False) is False
    for bad in (None, 1, "", "Enable"):
        with pytest.raises(BadRequest):
            parse_user_status(bad)
    for bad in (None, 0, "yes", []):
        with pytest.raises(BadRequest):
            parse_mark_deleted(bad)


def test_only_super_admins_change_users() -> None:
    for permission in (Permission.MANAGE_USER_STATUS, Permission.MARK_USERS_DELETED):
        assert permission in ROLE_PERMISSIONS[Role.SUPER_ADMIN]
        assert permission not in ROLE_PERMISSIONS[Role.HELP_DESK_ADMIN]
    assert Permission.READ_USERS in ROLE_PERMISSIONS[Role.HELP_DESK_ADMIN]


@pytest.mark.parametrize(
    ("unit", "value", "expected"),
    [
        ("minutes", 1, Expiry(1, ExpiryUnit.MINUTES)),
        ("days", 7, Expiry(7, ExpiryUnit.DAYS)),
        ("hours", 168, Expiry(168, ExpiryUnit.HOURS)),
        (" DAYS ", "3", Expiry(3, ExpiryUnit.DAYS)),
        (None, None, None),
    ],
)
def test_expiry_accepted(unit: object, value: object, expected: Expiry | None) -> None:
    assert parse_expiry(unit, value) == expected


@pytest.mark.parametrize(
    ("unit", "value", "message"),
    [
        ("days", None, "together"),
        (None, 1, "together"),
        ("weeks", 1, "days, hours or minutes"),
        ("days", 2.5, "whole number"),
        ("days", "٣", "whole number"),
        ("days", False, "whole number"),
        ("minutes", 0, "between 1 minute and 7 days"),
        ("hours", 169, "between 1 minute and 7 days"),
        ("days", 10**400, "between 1 minute and 7 days"),
    ],
)
def test_expiry_refused(unit: object, value: object, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        parse_expiry(unit, value)


@pytest.mark.parametrize(
    ("validity", "expected"),
    [
        (timedelta(days=7), Expiry(7, ExpiryUnit.DAYS)),
        (timedelta(hours=36), Expiry(36, ExpiryUnit.HOURS)),
        (timedelta(minutes=90), Expiry(90, ExpiryUnit.MINUTES)),
        (timedelta(hours=48), Expiry(2, ExpiryUnit.DAYS)),
    ],
)
def test_a_validity_is_stated_in_its_largest_exact_unit(
    validity: timedelta, expected: Expiry
) -> None:
    assert Expiry.of(validity) == expected
    assert expected.validity == validity


def test_one_time_use_parsing() -> None:
    assert parse_one_time_use(None) is None
    assert parse_one_time_use("False") is False and parse_one_time_use(True) is True
    with pytest.raises(BadRequest, match="true or false"):
        parse_one_time_use("1")


@pytest.mark.parametrize(
    ("alphabet", "message"),
    [
        ("ABCDEFGHI", "at least 10"),
        ("ABCDEFGHI-", "only letters and digits"),
        ("ABCDEFGHI ", "only letters and digits"),
        ("ABCDEFGHIa", "both cases"),
    ],
)
def test_alphabets_that_would_confuse_the_person_typing(alphabet: str, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        EmergencyAccessSettings(alphabet=alphabet)
    assert EmergencyAccessSettings(alphabet="abcdefghjk").alphabet == "abcdefghjk"


def test_the_wire_declares_the_domains_search_page_bounds() -> None:
    size = UserSearchQuery.model_fields["pageSize"]
    assert size.default == DEFAULT_SEARCH_PAGE_SIZE
    assert [getattr(m, "le", None) for m in size.metadata if hasattr(m, "le")] == [
        MAX_SEARCH_PAGE_SIZE
    ]


def test_only_a_disabled_user_not_pending_deletion_can_be_deleted_now() -> None:
    user(UserStatus.DISABLED).require_deletable_now()
    with pytest.raises(Conflict) as enabled:
        user().require_deletable_now()
    assert enabled.value.description == "User u1 is enabled: disable the user first"
    with pytest.raises(Conflict) as pending:
        user(UserStatus.DISABLED, mark_deleted=True).require_deletable_now()
    assert pending.value.description == "User u1 is marked deleted: the deletion is already pending"


def test_users_marked_deleted_are_purged_seven_days_after_the_mark() -> None:
    marked = user(UserStatus.DISABLED).with_mark_deleted(True, "root@x", NOW)
    assert not marked.due_for_purge(NOW + timedelta(days=7) - timedelta(seconds=1))
    assert marked.due_for_purge(NOW + timedelta(days=7))
    assert marked.due_for_purge(NOW, after=timedelta(0))
    assert not user(UserStatus.DISABLED).due_for_purge(NOW + timedelta(days=30))
    assert Permission.DELETE_USERS not in ROLE_PERMISSIONS[Role.HELP_DESK_ADMIN]
