"""Fixtures shared by the service, API and CLI tests: real databases, a real server, real JWTs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from mfadesk.api.app import Companion, create_app
from mfadesk.domain.audit import StoredAuditEvent
from mfadesk.domain.clock import RandomSource, SystemRandom
from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.services.audit import link_pending
from mfadesk.services.context import ServiceEnv
from mfadesk.settings import Settings
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from tests.support.clock import MutableClock
from tests.support.databases import postgres_session_database, reset_postgres
from tests.support.desk import Desk
from tests.support.keys import mint
from tests.support.live_server import LiveServer, free_port
from tests.support.openapi import CONFORMANCE
from tests.support.tenant import AdminKey, Tenant, build_tenant

FAST_OFFLINE_HASH = 10  # scrypt N = 1024 in tests: the production cost is a setting


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    yield from postgres_session_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mfadesk.db'}"
    url: str = request.getfixturevalue("postgres_url")
    reset_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mfadesk.db'}"


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock()


@dataclass
class Stack:
    """A running server with a tenant in its database, and ways to talk to it."""

    server: LiveServer
    db: Database
    env: ServiceEnv
    clock: MutableClock
    tenant: Tenant
    settings: Settings

    @property
    def admin_base(self) -> str:
        return f"{self.server.base_url}/AdminInterface/restapi"

    @property
    def audience(self) -> str:
        return f"{self.settings.public_url}/AdminInterface/restapi/"

    def admin(self, name: str) -> AdminKey:
        return self.tenant.admins[name]

    def jwt(self, admin: str = "super", **kwargs: Any) -> str:
        key = self.admin(admin)
        kwargs.setdefault("issued_at", self.clock.timestamp())
        kwargs.setdefault("audience", self.audience)
        return mint(key.private_pem, kwargs.pop("access_id", key.access_id), **kwargs)

    def client(self, admin: str = "super", **kwargs: Any) -> httpx.Client:
        return httpx.Client(
            base_url=self.admin_base + "/",
            headers={
                "Authorization": f"Bearer {self.jwt(admin, **kwargs)}",
                "Accept": "application/json",
            },
            timeout=30,
            # Every reply must match the OpenAPI document (tests/support/openapi.py).
            event_hooks={"response": [CONFORMANCE.check]},
        )

    def audit_events(self) -> list[StoredAuditEvent]:
        link_pending(self.db.unit_of_work)  # as the export does: every committed event
        with self.db.unit_of_work() as uow:
            return list(uow.audit.iter_all())


StackFactory = Callable[..., Stack]


@pytest.fixture
def make_stack(database_url: str, tmp_path: Path, clock: MutableClock) -> Iterator[StackFactory]:
    started: list[tuple[LiveServer, Database]] = []

    def make(
        random: RandomSource | None = None,
        companions: Sequence[Companion] = (),
        **settings_overrides: Any,
    ) -> Stack:
        port = free_port()
        settings = replace(
            Settings(
                database_url=database_url,
                public_url=f"http://127.0.0.1:{port}",
                secret_key_file=tmp_path / "secret.key",
                rate_limit_per_second=10_000,
                rate_limit_burst=10_000,
                offline_hash_cost_log2=FAST_OFFLINE_HASH,
            ),
            **settings_overrides,
        )
        env = ServiceEnv(
            keys=load_or_create_server_keys(settings.secret_key_file),
            clock=clock,
            offline_cost_log2=settings.offline_hash_cost_log2,
            random=random or SystemRandom(),
        )
        db = Database(database_url)
        upgrade(db.engine)
        tenant = build_tenant(db, env)
        server = LiveServer(create_app(settings, env, companions=companions), port).__enter__()
        started.append((server, db))
        return Stack(server, db, env, clock, tenant, settings)

    yield make
    for server, db in started:
        server.__exit__()
        db.close()


@pytest.fixture
def stack(make_stack: StackFactory) -> Stack:
    return make_stack()


@pytest.fixture
def desk(database_url: str, tmp_path: Path, clock: MutableClock) -> Iterator[Desk]:
    """The test tenant in a real database, for service tests (SQLite and PostgreSQL)."""
    env = ServiceEnv(keys=load_or_create_server_keys(tmp_path / "secret.key"), clock=clock)
    db = Database(database_url)
    upgrade(db.engine)
    yield Desk(db, env, clock, build_tenant(db, env))
    db.close()
