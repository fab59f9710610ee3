"""The user event log: each authentication step recorded in its own transaction, and paged
for export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mfadesk.domain.user_events import (
    StoredUserEvent,
    UserEvent,
    UserEventReason,
    UserEventResult,
)
from mfadesk.observability import events
from mfadesk.services.authn_call import AuthnCall
from mfadesk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Subject:
    """Who an attempt is about, as far as it is known."""

    name: str
    user_id: str | None
    client_id: str | None
    attempt_id: str | None


def record_user_event(
    uow: UnitOfWork,
    call: AuthnCall,
    subject: Subject,
    result: UserEventResult,
    reason: UserEventReason,
    *,
    method: str | None = None,
    serial: str | None = None,
) -> None:
    key = call.client
    event = UserEvent(
        occurred_at=call.now,
        company_id=key.company_id,
        subject_name=subject.name,
        result=result,
        reason=reason,
        authn_key_name=key.name,
        user_id=subject.user_id,
        method=method,
        client_id=subject.client_id,
        source_ip=call.source_ip,
        attempt_id=subject.attempt_id,
        credential_serial=serial,
    )
    uow.user_events.append(event, call.env.random.uuid4())
    events.authentication(
        key.transport.value, method, result.value, reason.value, key.name, call.source_ip
    )


@dataclass(frozen=True, slots=True)
class UserEventPage:
    total: int
    events: list[StoredUserEvent]


def user_event_page(
    uow: UnitOfWork,
    company_id: str,
    after: datetime | None,
    until: datetime | None,
    *,
    offset: int,
    limit: int,
) -> UserEventPage:
    """One page of the company's user events in ``(after, until]``, oldest first — numbering
    any events not numbered yet first, so the export sees every committed step."""
    uow.user_events.assign_sequence()
    return UserEventPage(
        total=uow.user_events.count(company_id, after, until),
        events=uow.user_events.page(company_id, after, until, offset=offset, limit=limit),
    )


def number_user_events(uow: UnitOfWork) -> int:
    """Housekeeping: keep the unnumbered backlog small between exports."""
    return uow.user_events.assign_sequence()
