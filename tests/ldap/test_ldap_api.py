"""The admin API and the running service with LDAP sources: Synchronize User, lookup with
searchUnsynched, the periodic sync of `mfadesk serve` (a real slapd; SQLite and PostgreSQL)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from mfadesk.domain.users import User, UserStatus
from tests.conftest import Stack, StackFactory
from tests.support.live_server import free_port
from tests.support.slapd import Person, Slapd, add_source, ldap_settings


def _user(stack: Stack, email: str) -> User | None:
    with stack.db.unit_of_work() as uow:
        return uow.users.get_by_email(stack.tenant.company_id, email)


def _lookup(stack: Stack, email: str, search: bool | None = None) -> tuple[int, dict[str, object]]:
    body: dict[str, object] = {"email": email}
    if search is not None:
        body["searchUnsynched"] = search
    with stack.client("helpdesk") as api:
        response = api.post("v1/users/lookup", json=body)
    return response.status_code, response.json()


def _sync(stack: Stack, user_id: str) -> tuple[int, dict[str, object]]:
    with stack.client("helpdesk") as api:
        response = api.post(f"v1/users/{user_id}/sync")
    return response.status_code, response.json()


def test_lookup_search_unsynched_then_synchronize_user(stack: Stack, slapd: Slapd) -> None:
    unit = slapd.unit()
    ada = Person("ada", "ada@corp.example.test", "Ada", "Lovelace")
    unit.add_plain(ada)
    add_source(stack.db, stack.env, stack.tenant.company_id, ldap_settings(unit))

    assert _lookup(stack, "ada@corp.example.test")[0] == 404
    assert _lookup(stack, "ada@corp.example.test", False)[0] == 404
    assert _lookup(stack, "nobody@corp.example.test", True)[0] == 404
    status, body = _lookup(stack, "Ada@Corp.example.test", True)
    assert status == 200
    assert body["emailAddress"] == "ada@corp.example.test"
    assert body["identitySource"] == "Corp"
    assert body["principalUsername"] == "ada"
    assert body["primaryUniqueIdentifier"] == unit.entry_uuid(ada)
    assert body["lastSyncTime"] is not None
    assert body["userStatus"] == "Enabled"
    user_id = str(body["id"])

    unit.modify(ada, givenName="Augusta", uid="augusta")
    status, body = _sync(stack, user_id)
    assert status == 200
    assert (body["firstName"], body["principalUsername"]) == ("Augusta", "augusta")

    unit.delete(ada)
    status, body = _sync(stack, user_id)
    assert status == 200 and body["userStatus"] == "Disabled"
    user = _user(stack, "ada@corp.example.test")
    assert user is not None and user.status is UserStatus.DISABLED


def test_synchronize_user_when_the_directory_is_down(stack: Stack, slapd: Slapd) -> None:
    unit = slapd.unit()
    down = ldap_settings(unit, url=f"ldap://127.0.0.1:{free_port()}")
    source = add_source(stack.db, stack.env, stack.tenant.company_id, down, name="Down")
    with stack.db.unit_of_work() as uow:
        user = User(
            str(uuid.uuid4()),
            stack.tenant.company_id,
            "zed@corp.example.test",
            "Zed",
            "Z",
            UserStatus.ENABLED,
            created_at=stack.clock(),
            source_id=source.id,
            primary_unique_identifier=str(uuid.uuid4()),
        )
        uow.users.add(user)
    status, body = _sync(stack, user.id)
    assert status == 503, body
    assert "cannot read the directory" in str(body)
    assert _user(stack, "zed@corp.example.test") == user  # nothing changed
    # searchUnsynched skips a directory it cannot read
    assert _lookup(stack, "someone@corp.example.test", True)[0] == 404


def _eventually(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.1)


def test_the_service_synchronises_each_source_on_its_interval(
    make_stack: StackFactory, slapd: Slapd
) -> None:
    stack = make_stack(ldap_sync_tick_seconds=0.2)
    unit = slapd.unit()
    eve = Person("eve", "eve@corp.example.test", "Eve", "Early")
    unit.add_ad(eve)
    add_source(stack.db, stack.env, stack.tenant.company_id, ldap_settings(unit, ad=True))
    _eventually(lambda: _user(stack, "eve@corp.example.test") is not None)

    unit.modify(eve, userAccountControl=514)
    time.sleep(1)  # ticks come, but the interval (15 minutes on the clock) has not passed
    assert _user(stack, "eve@corp.example.test").status is UserStatus.ENABLED  # type: ignore[union-attr]
    stack.clock.advance(timedelta(minutes=15))
    _eventually(
        lambda: _user(stack, "eve@corp.example.test").status is UserStatus.DISABLED  # type: ignore[union-attr]
    )
