"""One verification per RADIUS request, whichever worker or host a retransmit reaches.

The request's key is claimed in the same transaction as its verification, and the reply stored
there too: a retransmit within 30 s — in this worker, another one, or another host on the same
database — finds the row (waiting for the first transaction if it is still running) and gets
the stored reply, so a retransmit never burns a tokencode, sets a PIN twice or counts as a
failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mfadesk.store.unit_of_work import UnitOfWork

RETRANSMIT_WINDOW = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class Answer:
    reply: bytes | None
    retransmit: bool  # answered from the stored reply, nothing verified


def answer_once(
    uow: UnitOfWork, key: str, now: datetime, answer: Callable[[], bytes | None]
) -> Answer:
    """The stored reply to the request ``key`` if it came within the window, else ``answer()``
    — run in this transaction — stored for the window."""
    expires_at = now + RETRANSMIT_WINDOW
    replies = uow.radius_replies
    if not replies.claim(key, expires_at):
        stored = replies.get(key)
        if stored is not None and stored[1] > now:
            return Answer(stored[0], retransmit=True)
        if stored is None:  # purged meanwhile
            replies.claim(key, expires_at)
        else:
            replies.renew(key, expires_at)
    reply = answer()
    replies.answer(key, reply)
    return Answer(reply, retransmit=False)


def purge_radius_replies(uow: UnitOfWork, now: datetime) -> int:
    return uow.radius_replies.purge_expired(now)
