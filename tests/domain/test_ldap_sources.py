"""The pure rules of directory sources: settings, entries, and what a sync does with each."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mfadesk.domain.errors import BadRequest
from mfadesk.domain.ldap_sources import (
    PLAIN_USER_FILTER,
    AttributeMap,
    LdapSettings,
    SyncedUser,
    check_ldap_settings,
    directory_entry,
    parse_interval,
    plan_chunk,
)
from mfadesk.domain.users import UserStatus

SETTINGS = LdapSettings(
    "ldap://dir.example:389", "cn=r", "dc=example", PLAIN_USER_FILTER, AttributeMap.defaults(False)
)


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900), ("1h", 3600), ("90s", 90), ("600", 600), ("1d", 86400)]
)
def test_intervals(text: str, seconds: int) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize(
    "bad",
    [
        replace(SETTINGS, url="http://dir.example"),
        replace(SETTINGS, url="ldaps://dir.example", start_tls=True),
        replace(SETTINGS, base_dn=" "),
        replace(SETTINGS, user_filter="objectClass=person"),
        replace(SETTINGS, sync_interval_seconds=10),
        replace(SETTINGS, attributes=replace(SETTINGS.attributes, email="mail;binary")),
    ],
)
def test_bad_settings_are_refused(bad: LdapSettings) -> None:
    with pytest.raises(BadRequest):
        check_ldap_settings(bad)
    with pytest.raises(BadRequest):
        parse_interval("soon")


def test_entries_without_an_id_or_an_address_are_skipped() -> None:
    assert directory_entry(None, "a@x", "a", "", "", None) is None
    assert directory_entry("id", "not an address", "a", "", "", None) is None
    entry = directory_entry("id", " A@X ", "a@x", " Ann ", "B", 514)
    assert entry is not None
    assert (entry.email, entry.username, entry.first_name, entry.disabled) == (
        "a@x",
        None,
        "Ann",
        True,
    )


def test_a_chunk_reports_conflicts_and_keeps_pending_deletions_disabled() -> None:
    one = directory_entry("1", "one@x", "one", "One", "", None)
    dup = directory_entry("2", "one@x", "dup", "Dup", "", None)
    other = directory_entry("3", "local@x", "l", "", "", None)
    marked = directory_entry("4", "m@x", "m", "M", "", None)
    assert one and dup and other and marked
    known = SyncedUser("u4", "4", "m@x", "M", "", "m", UserStatus.DISABLED, mark_deleted=True)
    plan = plan_chunk(
        [one, dup, other, marked], {"4": known}, {"local@x": ("u9", "local-source")}, "src"
    )
    assert plan.new == [one]
    assert (plan.report.created, plan.report.conflicts, plan.report.unchanged) == (1, 2, 1)
    assert plan.changed == [] and plan.seen == ["u4"]
