"""RADIUS clients (their shared secrets encrypted)."""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select

from mfadesk.domain.radius_clients import RadiusClient
from mfadesk.store.tables import radius_clients as clients
from mfadesk.store.timestamps import as_utc

_ALL = select(clients).order_by(clients.c.name)
_BY_ID = select(clients).where(clients.c.id == bindparam("id"))
_BY_NAME = select(clients).where(clients.c.name == bindparam("name"))
_BY_NETWORK = select(clients).where(clients.c.network == bindparam("network"))
_DELETE = delete(clients).where(clients.c.id == bindparam("b_id"))


def _to_client(row: Any) -> RadiusClient:
    return RadiusClient(
        id=row.id,
        company_id=row.company_id,
        name=row.name,
        network=ipaddress.ip_network(row.network),
        require_message_authenticator=row.require_message_authenticator,
        created_at=as_utc(row.created_at),
    )


class RadiusClientRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, client_id: str) -> RadiusClient | None:
        row = self._c.execute(_BY_ID, {"id": client_id}).one_or_none()
        return None if row is None else _to_client(row)

    def by_name(self, name: str) -> RadiusClient | None:
        row = self._c.execute(_BY_NAME, {"name": name}).one_or_none()
        return None if row is None else _to_client(row)

    def by_network(self, network: str) -> RadiusClient | None:
        row = self._c.execute(_BY_NETWORK, {"network": network}).one_or_none()
        return None if row is None else _to_client(row)

    def all(self) -> list[tuple[RadiusClient, bytes]]:
        """Every client with its encrypted secret."""
        return [(_to_client(row), bytes(row.secret_ciphertext)) for row in self._c.execute(_ALL)]

    def add(self, client: RadiusClient, secret_ciphertext: bytes) -> None:
        self._c.execute(
            insert(clients).values(
                id=client.id,
                company_id=client.company_id,
                name=client.name,
                network=str(client.network),
                secret_ciphertext=secret_ciphertext,
                require_message_authenticator=client.require_message_authenticator,
                created_at=client.created_at,
            )
        )

    def remove(self, client_id: str) -> None:
        self._c.execute(_DELETE, {"b_id": client_id})
