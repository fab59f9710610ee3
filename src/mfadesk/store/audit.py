"""The append-only, hash-chained audit trail.

Each row's ``hash`` is SHA-256 over the previous row's hash and the row's own canonical content;
``audit_head`` holds the newest (seq, hash). Editing a row breaks its hash, deleting one leaves a
gap in ``seq``, deleting the newest rows disagrees with the head. Whoever links rows into the
chain locks the head row, which also gives the events one total order across workers.

Two ways to link, chosen per database (`Database`; ``MFADESK_AUDIT_LINK`` overrides):

* **inline** (SQLite): the append itself links its row, holding the head to the end of its
  transaction. SQLite has one writer at a time anyway, so this costs no concurrency. It first
  tries to move the head from the link this process wrote last (`AuditHead`): that conditional
  UPDATE locks the row just as ``SELECT … FOR UPDATE`` would, and saves reading it. If another
  writer moved the head since, it matches nothing and the append reads the locked head.
* **after commit** (PostgreSQL): the append inserts an unlinked row into ``audit_pending``, in
  the use case's transaction (atomic with the change it records, durable with its commit), and
  takes no lock. After the commit the unit of work wakes the process's `AuditLinker`, which
  links every committed pending row in id order (`chain_pending`) in one short transaction a few
  milliseconds later, together with whatever else committed meanwhile. So writes of all workers
  and hosts no longer queue behind one another's commit for the head. Readers of the trail
  (export, verify, `mfadesk.testing`) link what is pending first, so they see every committed
  event; a row whose process died before linking is linked by the next linker or reader.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from mfadesk.domain.audit import (
    Action,
    AuditEvent,
    Result,
    StoredAuditEvent,
    Target,
    TargetType,
)
from mfadesk.domain.event_logs import TimeWindow
from mfadesk.observability import metrics
from mfadesk.observability.events import security_event
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import audit_events, audit_head, audit_pending
from mfadesk.store.timestamps import as_utc

GENESIS_HASH = "0" * 64
_HEAD_FOR_UPDATE = Prepared(
    select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
)
_MOVE_HEAD = Prepared(
    update(audit_head)
    .where(audit_head.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)
_HEAD_SEQ = select(audit_head.c.seq).where(audit_head.c.id == 1)
# A company's events in a window, up to a snapshot's newest seq, in the chain's order.
_IN_WINDOW = (
    audit_events.c.company_id == bindparam("company_id"),
    audit_events.c.occurred_at > bindparam("after"),
    audit_events.c.occurred_at <= bindparam("until"),
    audit_events.c.seq <= bindparam("high_seq"),
)
_COUNT_IN_WINDOW = select(func.count()).select_from(audit_events).where(*_IN_WINDOW)
_PAGE_IN_WINDOW = (
    select(audit_events)
    .where(*_IN_WINDOW)
    .order_by(audit_events.c.seq)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_MOVE_HEAD_FROM = Prepared(
    update(audit_head)
    .where(
        audit_head.c.id == 1,
        audit_head.c.seq == bindparam("old_seq"),
        audit_head.c.hash == bindparam("old_hash"),
    )
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)
_INSERT = Prepared(insert(audit_events))
_ANY_PENDING = select(audit_pending.c.id).limit(1)
_NEWEST_PENDING = select(func.max(audit_pending.c.id))
_PENDING_BATCH = (
    select(audit_pending)
    .where(audit_pending.c.id > bindparam("after"), audit_pending.c.id <= bindparam("upto"))
    .order_by(audit_pending.c.id)
    .limit(bindparam("limit"))
)
_DELETE_PENDING = delete(audit_pending).where(
    audit_pending.c.id.in_(bindparam("ids", expanding=True))
)
CHAIN_BATCH = 1000  # pending rows read, linked and deleted per statement
_CHAINED_FIELDS = (
    "seq",
    "event_id",
    "occurred_at",
    "company_id",
    "admin_email",
    "admin_role",
    "access_id",
    "action",
    "target_type",
    "target_id",
    "target_name",
    "result",
    "changed",
    "message",
    "source_ip",
)

_EVENT_FIELDS = tuple(name for name in _CHAINED_FIELDS if name != "seq")
_INSERT_PENDING = Prepared(
    insert(audit_pending).values(
        {name: bindparam(name) for name in _EVENT_FIELDS}  # `id` from the sequence
    )
)


def _canonical_time(moment: datetime) -> str:
    utc = as_utc(moment)
    if utc.year < 1000:  # strftime does not pad the year; keep its form for old hashes
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


_CANONICAL_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True)


def chain_hash(prev_hash: str, row: dict[str, Any]) -> str:
    content = [
        _canonical_time(row[name]) if name == "occurred_at" else row[name]
        for name in _CHAINED_FIELDS
    ]
    payload = _CANONICAL_JSON.encode([prev_hash, content])
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    broken_at: int | None
    problem: str | None
    # The intact rows by `company_id`; None: events of no company (refused requests that named
    # no known API key), which no company's export shows.
    by_company: Mapping[str | None, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem is None


def _to_stored(row: Any) -> StoredAuditEvent:
    event = AuditEvent(
        occurred_at=as_utc(row.occurred_at),
        action=Action(row.action),
        target=Target(TargetType(row.target_type), row.target_id, row.target_name),
        result=Result(row.result),
        changed=row.changed,
        message=row.message,
        source_ip=row.source_ip,
        company_id=row.company_id,
        admin_email=row.admin_email,
        admin_role=row.admin_role,
        access_id=row.access_id,
    )
    return StoredAuditEvent(seq=row.seq, event_id=row.event_id, event=event)


def _window_params(company_id: str, window: TimeWindow, high_seq: int) -> dict[str, Any]:
    return {
        "company_id": company_id,
        "after": window.stored_after,
        "until": window.stored_until,
        "high_seq": high_seq,
    }


class AuditHead:
    """The newest link as this process last wrote it: a guess, checked by every append."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last: tuple[int, str] | None = None


def _fields(event: AuditEvent, event_id: str) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "occurred_at": event.occurred_at,
        "company_id": event.company_id,
        "admin_email": event.admin_email,
        "admin_role": event.admin_role,
        "access_id": event.access_id,
        "action": event.action.value,
        "target_type": event.target.type.value,
        "target_id": event.target.id,
        "target_name": event.target.name,
        "result": event.result.value,
        "changed": event.changed,
        "message": event.message,
        "source_ip": event.source_ip,
    }


def _link(fields: Mapping[str, Any], prev_seq: int, prev_hash: str) -> dict[str, Any]:
    """The chain's row for an event's fields, after the link (prev_seq, prev_hash)."""
    row = {name: fields[name] for name in _EVENT_FIELDS}
    row["seq"] = prev_seq + 1
    row["prev_hash"] = prev_hash
    row["hash"] = chain_hash(prev_hash, row)
    return row


def _row(event: AuditEvent, event_id: str, prev_seq: int, prev_hash: str) -> dict[str, Any]:
    return _link(_fields(event, event_id), prev_seq, prev_hash)


class AuditRepository:
    def __init__(
        self, connection: Connection, head: AuditHead | None = None, *, deferred: bool = False
    ) -> None:
        self._c = connection
        self._head = AuditHead() if head is None else head
        self._deferred = deferred
        # Rows this unit of work put in `audit_pending`, to link after its commit.
        self.pending_appends = 0

    def append(self, event: AuditEvent, event_id: str) -> int | None:
        """Record `event`: its `seq`, or None when it is linked after the commit (deferred)."""
        seq: int | None = None
        if self._deferred:
            self._append_pending(event, event_id)
        else:
            seq = self._append(event, event_id)
        metrics.audit_append(event.result.value)
        security_event(
            "audit",
            action=event.action.value,
            result=event.result.value,
            target_type=event.target.type.value,
            principal=event.access_id,
            source_address=event.source_ip,
            seq=seq,
        )
        return seq

    def _append_pending(self, event: AuditEvent, event_id: str) -> None:
        _INSERT_PENDING.execute(self._c, _fields(event, event_id))
        self.pending_appends += 1

    def chain_pending(self) -> int:
        """Link the committed pending rows into the chain, oldest id first; how many. The
        caller commits; the head stays locked until then."""
        if self._c.execute(_ANY_PENDING).first() is None:
            return 0
        head = _HEAD_FOR_UPDATE.one(self._c)
        # Read committed: from here on, statements see what a linker that held the head before
        # us committed, including the pending rows it linked and deleted.
        upto = self._c.execute(_NEWEST_PENDING).scalar()
        if upto is None:
            return 0
        prev_seq, prev_hash = int(head.seq), str(head.hash)
        after, linked = 0, 0
        while True:
            batch = self._c.execute(
                _PENDING_BATCH, {"after": after, "upto": upto, "limit": CHAIN_BATCH}
            ).all()
            if not batch:
                break
            rows = []
            for pending in batch:
                row = _link(dict(pending._mapping), prev_seq, prev_hash)
                prev_seq, prev_hash = row["seq"], row["hash"]
                rows.append(row)
            self._c.execute(insert(audit_events), rows)
            self._c.execute(_DELETE_PENDING, {"ids": [pending.id for pending in batch]})
            linked += len(batch)
            after = batch[-1].id
        if linked:
            _MOVE_HEAD.execute(self._c, {"new_seq": prev_seq, "new_hash": prev_hash})
        return linked

    def _append(self, event: AuditEvent, event_id: str) -> int:
        guess = self._head.last
        if guess is not None:
            row = _row(event, event_id, *guess)
            moved = _MOVE_HEAD_FROM.execute(
                self._c,
                {
                    "old_seq": guess[0],
                    "old_hash": guess[1],
                    "new_seq": row["seq"],
                    "new_hash": row["hash"],
                },
            )
            if moved == 1:
                _INSERT.execute(self._c, row)
                self._head.last = (row["seq"], row["hash"])
                return int(row["seq"])
        head = _HEAD_FOR_UPDATE.one(self._c)
        row = _row(event, event_id, head.seq, head.hash)
        _INSERT.execute(self._c, row)
        _MOVE_HEAD.execute(self._c, {"new_seq": row["seq"], "new_hash": row["hash"]})
        self._head.last = (row["seq"], row["hash"])
        return int(row["seq"])

    def head_seq(self) -> int:
        """The newest committed `seq` (0 for an empty trail)."""
        return int(self._c.execute(_HEAD_SEQ).scalar_one())

    def count_in_window(self, company_id: str, window: TimeWindow, high_seq: int) -> int:
        params = _window_params(company_id, window, high_seq)
        return int(self._c.execute(_COUNT_IN_WINDOW, params).scalar_one())

    def page_in_window(
        self, company_id: str, window: TimeWindow, high_seq: int, offset: int, limit: int
    ) -> list[StoredAuditEvent]:
        params = _window_params(company_id, window, high_seq)
        rows = self._c.execute(_PAGE_IN_WINDOW, {**params, "offset": offset, "limit": limit})
        return [_to_stored(row) for row in rows]

    def iter_all(self) -> Iterator[StoredAuditEvent]:
        for row in self._c.execute(select(audit_events).order_by(audit_events.c.seq)):
            yield _to_stored(row)

    def verify_chain(self) -> ChainReport:
        """Check the chain up to the head as it is now; rows linked while this runs are left
        for the next check (the head is read first, so they cannot look like a removal)."""
        head = self._c.execute(select(audit_head.c.seq, audit_head.c.hash)).one()
        expected_prev = GENESIS_HASH
        expected_seq = 1
        checked = 0
        by_company: Counter[str | None] = Counter()
        rows = self._c.execution_options(yield_per=1000).execute(
            select(audit_events).where(audit_events.c.seq <= head.seq).order_by(audit_events.c.seq)
        )
        for row in rows:
            values = row._asdict()
            if row.seq != expected_seq:
                return ChainReport(checked, expected_seq, f"row {expected_seq} is missing")
            if row.prev_hash != expected_prev or chain_hash(expected_prev, values) != row.hash:
                return ChainReport(checked, row.seq, f"row {row.seq} was altered")
            expected_prev = row.hash
            expected_seq += 1
            checked += 1
            by_company[row.company_id] += 1
        if head.seq != checked or head.hash != expected_prev:
            return ChainReport(checked, checked + 1, f"rows after {checked} were removed")
        return ChainReport(checked, None, None, dict(by_company))
