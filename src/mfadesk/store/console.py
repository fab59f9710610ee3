"""Administrators' console passwords and console sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from mfadesk.domain.console_sessions import ConsoleSession, Stage
from mfadesk.store.tables import admin_passwords, console_sessions
from mfadesk.store.timestamps import as_utc, as_utc_or_none


def _to_session(row: Any) -> ConsoleSession:
    return ConsoleSession(
        token_hash=row.token_hash,
        admin_id=row.admin_id,
        stage=Stage(row.stage),
        created_at=as_utc(row.created_at),
        last_seen_at=as_utc(row.last_seen_at),
        source_ip=row.source_ip,
        attempt_id=row.attempt_id,
        message_id=row.message_id,
        challenge=row.challenge,
        ended_at=as_utc_or_none(row.ended_at),
    )


class ConsoleRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def password_hash(self, admin_id: str) -> str | None:
        row = self._c.execute(
            select(admin_passwords.c.password_hash).where(admin_passwords.c.admin_id == admin_id)
        ).first()
        return None if row is None else str(row.password_hash)

    def set_password_hash(self, admin_id: str, password_hash: str, now: datetime) -> None:
        self._c.execute(delete(admin_passwords).where(admin_passwords.c.admin_id == admin_id))
        self._c.execute(
            insert(admin_passwords).values(
                admin_id=admin_id, password_hash=password_hash, set_at=now
            )
        )

    def add_session(self, session: ConsoleSession) -> None:
        self._c.execute(
            insert(console_sessions).values(
                token_hash=session.token_hash,
                admin_id=session.admin_id,
                stage=session.stage.value,
                attempt_id=session.attempt_id,
                message_id=session.message_id,
                challenge=session.challenge,
                source_ip=session.source_ip,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
                ended_at=session.ended_at,
            )
        )

    def session(self, token_hash: str) -> ConsoleSession | None:
        row = self._c.execute(
            select(console_sessions).where(console_sessions.c.token_hash == token_hash)
        ).first()
        return None if row is None else _to_session(row)

    def save_session(self, session: ConsoleSession) -> None:
        self._c.execute(
            update(console_sessions)
            .where(console_sessions.c.token_hash == session.token_hash)
            .values(
                stage=session.stage.value,
                attempt_id=session.attempt_id,
                message_id=session.message_id,
                challenge=session.challenge,
                last_seen_at=session.last_seen_at,
                ended_at=session.ended_at,
            )
        )

    def remove_session(self, token_hash: str) -> None:
        self._c.execute(delete(console_sessions).where(console_sessions.c.token_hash == token_hash))

    def end_sessions_of(self, admin_id: str, now: datetime) -> int:
        """End every open session of the administrator (a new password, a revoked key)."""
        result = self._c.execute(
            update(console_sessions)
            .where(console_sessions.c.admin_id == admin_id, console_sessions.c.ended_at.is_(None))
            .values(ended_at=now)
        )
        return int(result.rowcount)

    def count_open(self, admin_id: str) -> int:
        return int(
            self._c.execute(
                select(func.count())
                .select_from(console_sessions)
                .where(
                    console_sessions.c.admin_id == admin_id, console_sessions.c.ended_at.is_(None)
                )
            ).scalar_one()
        )
