"""Authentication attempts in progress (and finished ones kept for a status call)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from mfadesk.domain.authn_attempts import AttemptStatus, Attribute, AuthnAttempt
from mfadesk.domain.authn_methods import Method
from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.domain.securid_steps import Pending, Step
from mfadesk.store.tables import authn_attempts as attempts
from mfadesk.store.timestamps import as_utc

_BY_ID = select(attempts).where(attempts.c.id == bindparam("id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()
_INSERT = insert(attempts)
_SAVE = (
    update(attempts)
    .where(attempts.c.id == bindparam("b_id"))
    .values(
        status=bindparam("status"),
        last_message_id=bindparam("last_message_id"),
        expires_at=bindparam("expires_at"),
        successful_methods=bindparam("successful_methods"),
        pending_kind=bindparam("pending_kind"),
        pending_serial=bindparam("pending_serial"),
        pending_interval=bindparam("pending_interval"),
        pending_step=bindparam("pending_step"),
        pending_refusals=bindparam("pending_refusals"),
    )
)
_DELETE = delete(attempts).where(attempts.c.id == bindparam("b_id"))
_PURGE = delete(attempts).where(attempts.c.expires_at <= bindparam("before"))


def _changing(attempt: AuthnAttempt) -> dict[str, Any]:
    pending = attempt.pending
    return {
        "status": attempt.status.value,
        "last_message_id": attempt.last_message_id,
        "expires_at": attempt.expires_at,
        "successful_methods": " ".join(m.value for m in attempt.successful_methods),
        "pending_kind": pending.kind.value if pending else None,
        "pending_serial": pending.serial if pending else None,
        "pending_interval": pending.interval if pending else None,
        "pending_step": pending.step.value if pending else None,
        "pending_refusals": pending.refusals if pending else 0,
    }


def _to_attempt(row: Any) -> AuthnAttempt:
    pending = (
        Pending(
            Step(row.pending_step),
            CredentialKind(row.pending_kind),
            row.pending_serial,
            row.pending_interval,
            row.pending_refusals,
        )
        if row.pending_kind
        else None
    )
    return AuthnAttempt(
        id=row.id,
        company_id=row.company_id,
        authn_key_id=row.authn_key_id,
        client_id=row.client_id,
        subject_name=row.subject_name,
        user_id=row.user_id,
        status=AttemptStatus(row.status),
        last_message_id=row.last_message_id,
        timeout_seconds=row.timeout_seconds,
        expires_at=as_utc(row.expires_at),
        keep=row.keep,
        created_at=as_utc(row.created_at),
        successful_methods=tuple(Method(m) for m in row.successful_methods.split()),
        pending=pending,
        assurance_policy_id=row.assurance_policy_id,
        session_attributes=tuple(
            Attribute(a["name"], a["value"], a.get("dataType"))
            for a in json.loads(row.session_attributes)
        ),
    )


class AuthnAttemptRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, attempt_id: str, *, for_update: bool = False) -> AuthnAttempt | None:
        statement = _BY_ID_FOR_UPDATE if for_update else _BY_ID
        row = self._c.execute(statement, {"id": attempt_id}).one_or_none()
        return None if row is None else _to_attempt(row)

    def add(self, attempt: AuthnAttempt) -> None:
        attributes = [
            {"name": a.name, "value": a.value, "dataType": a.data_type}
            for a in attempt.session_attributes
        ]
        self._c.execute(
            _INSERT,
            {
                "id": attempt.id,
                "company_id": attempt.company_id,
                "authn_key_id": attempt.authn_key_id,
                "client_id": attempt.client_id,
                "subject_name": attempt.subject_name,
                "user_id": attempt.user_id,
                "timeout_seconds": attempt.timeout_seconds,
                "keep": attempt.keep,
                "created_at": attempt.created_at,
                "assurance_policy_id": attempt.assurance_policy_id,
                "session_attributes": json.dumps(attributes, separators=(",", ":")),
                **_changing(attempt),
            },
        )

    def save(self, attempt: AuthnAttempt) -> None:
        self._c.execute(_SAVE, {"b_id": attempt.id, **_changing(attempt)})

    def remove(self, attempt_id: str) -> None:
        self._c.execute(_DELETE, {"b_id": attempt_id})

    def purge_expired(self, now: datetime) -> int:
        return self._c.execute(_PURGE, {"before": now}).rowcount
