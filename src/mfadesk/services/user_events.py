"""Recording authentication steps in the user event log, in the step's own transaction."""

from __future__ import annotations

from dataclasses import dataclass

from mfadesk.domain.user_events import UserEvent, UserEventReason, UserEventResult
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
