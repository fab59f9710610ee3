"""A live server with a SCIM source, shared by a test module (one server per module)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from mfadesk.api.app import create_app
from mfadesk.domain.audit import Action, StoredAuditEvent
from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.services.audit import link_pending
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import Operator
from mfadesk.services.scim_sources import add_scim_source
from mfadesk.settings import Settings
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from tests.support.live_server import LiveServer, free_port
from tests.support.tenant import Tenant, build_tenant

SCIM_JSON = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


@dataclass
class ScimServer:
    server: LiveServer
    db: Database
    env: ServiceEnv
    settings: Settings
    tenant: Tenant
    base_url: str
    token: str

    def client(self, token: str | None = None) -> httpx.Client:
        bearer = self.token if token is None else token
        headers = {"Content-Type": SCIM_JSON, "Accept": SCIM_JSON}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        return httpx.Client(base_url=self.base_url + "/", headers=headers, timeout=30)

    def add_source(self, name: str) -> str:
        """Another SCIM source of the tenant's company; its token."""
        with self.db.unit_of_work() as uow:
            company = uow.companies.get(self.tenant.company_id)
            assert company is not None
            return add_scim_source(uow, Operator.start(self.env), company, name).token

    def audited(self, action: Action) -> list[StoredAuditEvent]:
        link_pending(self.db.unit_of_work)  # as the export does: every committed event
        with self.db.unit_of_work() as uow:
            return [e for e in uow.audit.iter_all() if e.event.action is action]


@contextmanager
def scim_server(database_url: str, folder: Path, **overrides: Any) -> Iterator[ScimServer]:
    port = free_port()
    settings = Settings(
        database_url=database_url,
        public_url=f"http://127.0.0.1:{port}",
        secret_key_file=folder / "secret.key",
        rate_limit_per_second=10_000,
        rate_limit_burst=10_000,
        offline_hash_cost_log2=10,
        **overrides,
    )
    env = ServiceEnv(keys=load_or_create_server_keys(settings.secret_key_file))
    db = Database(database_url)
    upgrade(db.engine)
    tenant = build_tenant(db, env)
    with db.unit_of_work() as uow:
        company = uow.companies.get(tenant.company_id)
        assert company is not None
        token = add_scim_source(uow, Operator.start(env), company, "Entra ID").token
    server = LiveServer(create_app(settings, env), port).__enter__()
    try:
        yield ScimServer(server, db, env, settings, tenant, f"{server.base_url}/scim/v2", token)
    finally:
        server.__exit__()
        db.close()


def new_user(user_name: str, email: str, **extra: Any) -> dict[str, Any]:
    return {"schemas": [USER_SCHEMA], "userName": user_name, "emails": [{"value": email}], **extra}


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}
