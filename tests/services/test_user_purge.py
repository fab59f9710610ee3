"""Users marked deleted are removed seven days after the mark, with what was theirs
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.emergency_tokencodes import EmergencyStatus, EmergencyTokencode
from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.domain.users import UserStatus
from mfadesk.services.provisioning import Operator
from mfadesk.services.user_removal import (
    PURGED_BY_OPERATOR,
    PURGED_BY_SERVICE,
    purge_marked_users,
)
from tests.support.desk import Desk
from tests.support.tenant import DEVICE_SPARE_OWNER_BOB, TOKEN_BOB


def mark_deleted(desk: Desk, name: str) -> None:
    def mark(uow: Any, op: Operator) -> None:
        user = uow.users.get(desk.tenant.company_id, desk.tenant.user(name), for_update=True)
        disabled, _ = user.with_status(UserStatus.DISABLED)
        uow.users.save(disabled.with_mark_deleted(True, "root@acme.example", op.now))

    desk.transaction(mark)


def give_emergency_code(desk: Desk, name: str) -> None:
    def issue(uow: Any, op: Operator) -> None:
        code = EmergencyTokencode(
            id=op.env.random.uuid4(),
            user_id=desk.tenant.user(name),
            company_id=desk.tenant.company_id,
            online_hash=b"h" * 32,
            offline_verifier="scrypt$10$8$1$salt$hash",
            expires_at=op.now + timedelta(days=1),
            offline_expires_at=op.now + timedelta(days=2),
            status=EmergencyStatus.ENABLED,
            one_time_use=False,
            created_at=op.now,
        )
        uow.emergency_tokencodes.add(code)

    desk.transaction(issue)


def test_a_user_marked_seven_days_ago_is_deleted_with_what_was_theirs(desk: Desk) -> None:
    give_emergency_code(desk, "bob")
    mark_deleted(desk, "bob")
    desk.clock.advance(timedelta(days=1))
    mark_deleted(desk, "carol")
    desk.clock.advance(timedelta(days=6))  # bob's seven days are over, carol's are not

    batch = purge_marked_users(desk.db.unit_of_work, desk.env, PURGED_BY_SERVICE)
    assert batch.finished
    assert [(u.email, u.id) for u in batch.purged] == [
        ("bob@acme.example", desk.tenant.user("bob"))
    ]
    assert desk.user("bob@acme.example") is None
    assert desk.user("carol@acme.example") is not None
    with desk.db.unit_of_work() as uow:
        token = uow.hardware_tokens.get(desk.tenant.company_id, TOKEN_BOB)
        device = uow.ds100.get_device(desk.tenant.company_id, DEVICE_SPARE_OWNER_BOB)
        code = uow.emergency_tokencodes.latest(desk.tenant.user("bob"))
    assert token is not None
    assert (token.user_id, token.status, token.name, token.pin_set) == (
        None,
        TokenStatus.DISABLED,
        None,
        False,
    )
    assert (token.status_changed_by, token.status_changed_at) == ("mfadesk", desk.clock())
    assert device is None and code is None
    [event] = desk.audited(Action.PURGE_USER)
    assert (event.event.result, event.event.admin_email, event.event.admin_role) == (
        Result.SUCCESS,
        "mfadesk",
        "System",
    )
    assert event.event.target.name == "bob@acme.example"
    assert event.event.message.startswith(
        "User bob@acme.example (marked deleted by root@acme.example at "
    )
    assert event.event.message.endswith(
        "deleted: 1 hardware token(s) returned to the pool, 1 DS100 device(s) and "
        "1 OTP credential(s) removed, 1 emergency tokencode(s) removed"
    )
    assert purge_marked_users(desk.db.unit_of_work, desk.env, PURGED_BY_SERVICE).purged == []


def test_the_operator_purges_in_batches_and_sooner_if_asked(desk: Desk) -> None:
    for name in ("carol", "dave", "alice"):
        mark_deleted(desk, name)
    first = purge_marked_users(
        desk.db.unit_of_work, desk.env, PURGED_BY_OPERATOR, timedelta(0), limit=2
    )
    assert (len(first.purged), first.finished) == (2, False)
    rest = purge_marked_users(
        desk.db.unit_of_work, desk.env, PURGED_BY_OPERATOR, timedelta(0), limit=2
    )
    assert (len(rest.purged), rest.finished) == (1, True)
    assert {e.event.admin_email for e in desk.audited(Action.PURGE_USER)} == {"operator"}
    assert desk.user("bob@acme.example") is not None
