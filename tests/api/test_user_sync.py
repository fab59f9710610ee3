"""POST /v1/users/{userId}/sync: local users are always in sync."""

from __future__ import annotations

from mfadesk.domain.audit import Action, Result
from tests.conftest import Stack


def test_sync_answers_the_user_and_changes_nothing(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    with stack.client("helpdesk") as api:
        before = api.post("v1/users/lookup", json={"email": "alice@acme.example"}).json()
        response = api.post(f"v1/users/{alice}/sync", headers={"Content-Length": "0"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json() == before
        ignored = api.post(f"v1/users/{alice}/sync", content=b"not even json")
        assert (ignored.status_code, ignored.json()) == (200, before)
        after = api.post("v1/users/lookup", json={"email": "alice@acme.example"}).json()
    assert after == before
    synced = [e.event for e in stack.audit_events() if e.event.action is Action.SYNC_USER]
    assert [(e.result, e.changed, e.admin_email) for e in synced] == [
        (Result.SUCCESS, False, "helpdesk@acme.example")
    ] * 2
    assert synced[0].message == f"User {alice} is local: already in sync"
