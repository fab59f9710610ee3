"""One verification per RADIUS request: the claim on the stored reply, on both databases (the
claim is dialect-specific SQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mfadesk.services.radius_replies import answer_once, purge_radius_replies
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade


def test_a_request_is_answered_once_within_the_window(database_url: str) -> None:
    db = Database(database_url)
    try:
        upgrade(db.engine)
        now = datetime(2026, 12, 10, 7, 0, tzinfo=UTC)
        answered: list[str] = []

        def answer(text: str) -> bytes:
            answered.append(text)
            return text.encode()

        with db.unit_of_work() as uow:
            first = answer_once(uow, "key", now, lambda: answer("first"))
        with db.unit_of_work() as uow:
            again = answer_once(uow, "key", now + timedelta(seconds=29), lambda: answer("again"))
        with db.unit_of_work() as uow:
            later = answer_once(uow, "key", now + timedelta(seconds=31), lambda: answer("later"))
        assert (first.reply, first.retransmit) == (b"first", False)
        assert (again.reply, again.retransmit) == (b"first", True)
        assert (later.reply, later.retransmit) == (b"later", False)
        assert answered == ["first", "later"]
        with db.unit_of_work() as uow:
            assert purge_radius_replies(uow, now + timedelta(minutes=2)) == 1
    finally:
        db.close()
