"""Synchronising LDAP and Active Directory sources from a real slapd, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.errors import Conflict
from mfadesk.domain.ldap_sources import (
    DirectoryUnavailable,
    SyncReport,
)
from mfadesk.domain.users import UserStatus
from mfadesk.observability import metrics
from mfadesk.services.ldap_sync import sync_source, sync_targets
from mfadesk.services.provisioning import add_user
from tests.support.desk import Desk
from tests.support.live_server import free_port
from tests.support.slapd import ROOT_PASSWORD, Person, Slapd, Unit, add_source, ldap_settings


def _add_source(
    desk: Desk,
    unit: Unit,
    *,
    ad: bool = False,
    name: str = "Corp",
    password: str = ROOT_PASSWORD,
    url: str | None = None,
) -> None:
    settings = ldap_settings(unit, ad=ad, url=url)
    add_source(desk.db, desk.env, desk.tenant.company_id, settings, name=name, password=password)


def _sync(desk: Desk, name: str = "Corp") -> SyncReport:
    target = desk.transaction(lambda uow, op: sync_targets(uow, op, None, name))
    return sync_source(desk.transaction, target.company, target.accesses[0], holder="test")


def _counts(report: SyncReport) -> dict[str, int]:
    return {k: v for k, v in report.counts().items() if v}


def test_a_plain_directory_is_created_then_kept_in_step(desk: Desk, slapd: Slapd) -> None:
    unit = slapd.unit()
    ada, bob, cy = (
        Person("ada", "Ada@Example.test"),
        Person("bob", "bob@example.test", "Bob", "Byte"),
        Person("cy", "cy@example.test", "Cy", "Cee"),
    )
    for person in (ada, bob, cy):
        unit.add_plain(person)
    # An e-mail that a local user has already: a conflict, the local user untouched.
    desk.transaction(
        lambda uow, op: add_user(
            uow, op, uow.companies.get(desk.tenant.company_id), "cy@example.test", "Local", "Cy"
        )
    )
    _add_source(desk, unit)

    assert _counts(_sync(desk)) == {"created": 2, "conflicts": 1}
    user = desk.user("ada@example.test")
    assert user is not None and user.status is UserStatus.ENABLED
    assert (user.first_name, user.last_name, user.principal_username) == ("Ada", "Lovelace", "ada")
    assert user.primary_unique_identifier == unit.entry_uuid(ada)
    assert user.last_sync_time == desk.clock()
    local = desk.user("cy@example.test")
    assert local is not None and local.first_name == "Local"

    desk.clock.advance(timedelta(seconds=60))
    assert _counts(_sync(desk)) == {"unchanged": 2, "conflicts": 1}
    user = desk.user("ada@example.test")
    assert user is not None and user.last_sync_time == desk.clock()

    unit.modify(ada, givenName="Augusta", mail="augusta@example.test")
    unit.delete(bob)
    assert _counts(_sync(desk)) == {"updated": 1, "disabled": 1, "conflicts": 1}
    moved = desk.user("augusta@example.test")
    assert moved is not None and moved.id == user.id and moved.first_name == "Augusta"
    assert desk.user("ada@example.test") is None
    gone = desk.user("bob@example.test")
    assert gone is not None and gone.status is UserStatus.DISABLED  # never deleted

    unit.add_plain(bob)  # back (a new entry: a new entryUUID, the same e-mail)
    report = _sync(desk)
    assert _counts(report) == {"unchanged": 1, "conflicts": 2}
    assert any("bob@example.test" in detail for detail in report.conflict_details)

    events = desk.audited(Action.SYNC_IDENTITY_SOURCE)
    assert len(events) == 4 and all(e.event.result is Result.SUCCESS for e in events)
    assert "1 updated, 1 disabled" in events[2].event.message


def test_active_directory_disabled_accounts_and_guids(desk: Desk, slapd: Slapd) -> None:
    unit = slapd.unit()
    eve = Person("eve", "eve@corp.example.test", "Eve", "Early")
    dan = Person("dan", "dan@corp.example.test", "Dan", "Doe", disabled=True)
    unit.add_ad(eve)
    unit.add_ad(dan)
    unit.add_plain(Person("plain", "plain@corp.example.test"))  # not a `user`: not selected
    _add_source(desk, unit, ad=True)

    assert _counts(_sync(desk)) == {"created": 2}
    user = desk.user("dan@corp.example.test")
    assert user is not None and user.status is UserStatus.DISABLED
    assert (user.principal_username, user.alternate_username) == ("dan", "dan@corp.example.test")
    assert user.primary_unique_identifier == str(uuid.UUID(bytes_le=dan.guid))

    unit.modify(dan, userAccountControl=512)
    unit.modify(eve, userAccountControl=514)
    assert _counts(_sync(desk)) == {"enabled": 1, "disabled": 1}
    assert desk.user("dan@corp.example.test").status is UserStatus.ENABLED  # type: ignore[union-attr]
    assert desk.user("eve@corp.example.test").status is UserStatus.DISABLED  # type: ignore[union-attr]


@pytest.mark.parametrize("failure", ["wrong password", "directory down"])
def test_a_directory_that_cannot_be_read_changes_nothing(
    desk: Desk, slapd: Slapd, failure: str
) -> None:
    unit = slapd.unit()
    unit.add_plain(Person("ada", "ada@example.test"))
    _add_source(desk, unit)
    assert _counts(_sync(desk)) == {"created": 1}
    unit.delete(Person("ada", "ada@example.test"))
    if failure == "wrong password":
        _add_source(desk, unit, name="Broken", password="not-the-password")
    else:
        _add_source(desk, unit, name="Broken", url=f"ldap://127.0.0.1:{free_port()}")
    with desk.db.unit_of_work() as uow:
        broken = uow.sources.by_name(desk.tenant.company_id, "Broken")
        assert broken is not None
        uow.users.get_by_email(desk.tenant.company_id, "ada@example.test")
    with pytest.raises(DirectoryUnavailable) as raised:
        _sync(desk, "Broken")
    assert "\n" not in raised.value.description
    assert ROOT_PASSWORD not in raised.value.description
    user = desk.user("ada@example.test")
    assert user is not None and user.status is UserStatus.ENABLED
    [failed] = desk.audited(Action.SYNC_IDENTITY_SOURCE)[1:]
    assert failed.event.result is Result.FAILURE


def test_one_sync_of_a_source_at_a_time(desk: Desk, slapd: Slapd) -> None:
    unit = slapd.unit()
    _add_source(desk, unit)
    with desk.db.unit_of_work() as uow:
        source = uow.sources.by_name(desk.tenant.company_id, "Corp")
        assert source is not None
        uow.leases.take(
            f"ldap-sync:{source.id}",
            "another host",
            desk.clock(),
            desk.clock() + timedelta(minutes=5),
        )
    with pytest.raises(Conflict):
        _sync(desk)


def test_start_tls_and_ldaps_verify_the_directory_certificate(desk: Desk, slapd: Slapd) -> None:
    unit = slapd.unit()
    unit.add_plain(Person("ada", "ada@example.test"))
    plain = ldap_settings(unit)
    ca = str(slapd.ca_file)
    company = desk.tenant.company_id
    add_source(desk.db, desk.env, company, replace(plain, start_tls=True, ca_file=ca), name="TLS")
    add_source(desk.db, desk.env, company, replace(plain, url=slapd.ldaps_url), name="No CA")
    with pytest.raises(DirectoryUnavailable, match="certificate verify failed"):
        _sync(desk, "No CA")
    assert desk.user("ada@example.test") is None
    assert _counts(_sync(desk, "TLS")) == {"created": 1}
    add_source(
        desk.db, desk.env, company, replace(plain, url=slapd.ldaps_url, ca_file=ca), name="LDAPS"
    )
    assert _counts(_sync(desk, "LDAPS")) == {"conflicts": 1}  # the same entry, another source


def test_sync_runs_and_their_changes_are_counted_in_the_metrics(desk: Desk, slapd: Slapd) -> None:
    unit = slapd.unit()
    unit.add_plain(Person("mia", "mia@example.test"))
    _add_source(desk, unit)

    def count(name: str, **labels: str) -> float:
        text = metrics.exposition().decode()
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items())
        )

    runs = count("mfadesk_directory_sync_runs_total", source_type="ldap", result="success")
    created = count("mfadesk_directory_sync_objects_total", source_type="ldap", change="created")
    _sync(desk)
    assert count("mfadesk_directory_sync_runs_total", source_type="ldap", result="success") == (
        runs + 1
    )
    assert count("mfadesk_directory_sync_objects_total", source_type="ldap", change="created") == (
        created + 1
    )
