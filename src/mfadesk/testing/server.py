"""`MfadeskServer`: the real app (``create_app``) served by uvicorn in a thread of the test
process, on a loopback port of its own, with a SQLite database and a master key in a
temporary directory. Its helpers work on that database through the same services as the
``mfadesk`` operator commands.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn

from mfadesk.api.app import create_app
from mfadesk.api.routes.admin_logs import admin_log_entry
from mfadesk.cli.admins import create_admin_key_file
from mfadesk.cli.oauth_clients import register_client
from mfadesk.cli.runtime import Runtime
from mfadesk.domain.admins import Role
from mfadesk.domain.oauth_clients import KNOWN_SCOPES, format_scopes
from mfadesk.domain.users import User
from mfadesk.otp.tokencodes import tokencode
from mfadesk.services.audit import link_pending
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import (
    Operator,
    TokenSeed,
    add_company,
    add_hardware_token,
    add_user,
    resolve_company,
)
from mfadesk.services.startup import erase_all_data, open_creating
from mfadesk.settings import Settings
from mfadesk.store.database import Database
from mfadesk.wire.admin_logs import AdminLogEntry

COMPANY = "Test Company"
EMAIL_DOMAIN = "mfadesk.test"
SEED_BYTES = 16
FAST_OFFLINE_HASH = 10  # scrypt log2 N for offline emergency codes: fast, for tests only
_ROLES = {"super-admin": Role.SUPER_ADMIN, "help-desk-admin": Role.HELP_DESK_ADMIN}


def _role(role: str | Role) -> Role:
    if isinstance(role, Role):
        return role
    if role in _ROLES:
        return _ROLES[role]
    return Role(role)  # the wire name: "Super Admin", "Help Desk Admin"


@dataclass(frozen=True)
class OAuthTestClient:
    """A registered OAuth client: its private JWK file names `client_id` and `issuer` too."""

    client_id: str
    name: str
    role: Role
    scopes: str  # space-separated, as a token response states them
    issuer: str
    jwk_file: Path

    @property
    def token_endpoint(self) -> str:
        return self.issuer + "/token"


@dataclass
class MfadeskServer:
    """A running mfadesk. Start with `MfadeskServer.start(directory)`; stop with `stop()`."""

    directory: Path
    settings: Settings
    db: Database  # the helpers' own connection to the server's database
    env: ServiceEnv
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _key_files: dict[Role, Path] = field(default_factory=dict, repr=False)
    _seeds: dict[str, bytes] = field(default_factory=dict, repr=False)
    _made: int = 0
    started_in: float = 0.0  # seconds from `began` (see `start`) until it answered

    @classmethod
    def start(
        cls, directory: Path, *, timeout: float = 15.0, began: float | None = None
    ) -> MfadeskServer:
        """Serve a new database in `directory`; `began` (a `time.monotonic()`) is when the
        caller began, for `started_in`."""
        began = time.monotonic() if began is None else began
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        port = int(listener.getsockname()[1])
        settings = Settings(
            database_url=f"sqlite:///{directory / 'mfadesk.db'}",
            public_url=f"http://127.0.0.1:{port}",
            secret_key_file=directory / "secret.key",
            # A test suite's own clients are not throttled, nor locked out by refused logins.
            rate_limit_per_second=1_000_000,
            rate_limit_burst=1_000_000,
            auth_failure_per_second=1_000_000,
            auth_failure_burst=1_000_000,
            offline_hash_cost_log2=FAST_OFFLINE_HASH,
            sqlite_sync="normal",  # a throw-away database needs no fsync per commit
        )
        opened = open_creating(settings)
        opened.db.close()
        env = ServiceEnv(keys=opened.keys, offline_cost_log2=FAST_OFFLINE_HASH)
        app = create_app(settings, env)
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [listener]}, name="mfadesk-server", daemon=True
        )
        made = cls(
            directory,
            settings,
            Database(settings.database_url, audit_after_commit=settings.audit_after_commit),
            env,
            server,
            thread,
        )
        (directory / "keys").mkdir(exist_ok=True)
        made._add_company()
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                made.stop()
                raise RuntimeError("mfadesk did not start")
            time.sleep(0.005)
        made.started_in = time.monotonic() - began
        return made

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=15)
        self.db.close()

    # Where it is.

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return str(self.settings.public_url)

    @property
    def admin_url(self) -> str:
        """The admin API's base, ``…/AdminInterface/restapi/`` (as in a key file)."""
        return self.settings.admin_rest_api_url

    @property
    def issuer(self) -> str:
        """The OAuth issuer, ``<base_url>/oauth`` (token endpoint: ``<issuer>/token``)."""
        return self.base_url + "/oauth"

    # State.

    def reset(self) -> None:
        """Empty the database (one company, no users, tokens, admins or clients, a new audit
        trail); key files and client files made before stop working."""
        erase_all_data(self.db)
        self._key_files.clear()
        self._seeds.clear()
        self._add_company()

    def _runtime(self) -> Runtime:
        return Runtime(self.settings, self.db, self.env)

    def _add_company(self) -> None:
        self._runtime().transaction(lambda uow, op: add_company(uow, op, COMPANY))

    def _unique(self, stem: str) -> str:
        self._made += 1
        return f"{stem}-{self._made}"

    # Callers.

    def key_file(self, role: str | Role = "super-admin") -> Path:
        """An API key file (legacy JWT) of an administrator with `role` (``super-admin`` or
        ``help-desk-admin``); the same file for the same role until `reset`."""
        wanted = _role(role)
        if wanted not in self._key_files:
            slug = "super-admin" if wanted is Role.SUPER_ADMIN else "help-desk-admin"
            path = self.directory / "keys" / f"{self._unique(slug)}.key"
            create_admin_key_file(
                self._runtime(),
                f"{slug}@{EMAIL_DOMAIN}",
                wanted,
                path,
                None,
                f"{slug} key (mfadesk.testing)",
            )
            self._key_files[wanted] = path
        return self._key_files[wanted]

    def oauth_client(
        self,
        scopes: str | list[str] | tuple[str, ...] | None = None,
        role: str | Role = "super-admin",
        *,
        name: str | None = None,
    ) -> OAuthTestClient:
        """A new OAuth client with `scopes` (space-separated or a list; default: all of
        them) and `role`; its private JWK file carries ``client_id`` and ``issuer``."""
        wanted = KNOWN_SCOPES if scopes is None else scopes
        listed = frozenset(wanted.split() if isinstance(wanted, str) else wanted)
        client_name = name or self._unique("client")
        jwk_file = self.directory / "keys" / f"{self._unique(client_name)}.jwk"
        made = register_client(
            self._runtime(), client_name, _role(role), listed, None, jwk_file=jwk_file
        )
        client = made.client
        return OAuthTestClient(
            client.id, client.name, client.role, format_scopes(client.scopes), made.issuer, jwk_file
        )

    # Users and tokens.

    def add_user(
        self,
        email: str,
        first_name: str = "",
        last_name: str = "",
        *,
        disabled: bool = False,
    ) -> User:
        """A user of the company (enabled unless `disabled`); `.id` is its userId."""

        def add(uow: Any, op: Operator) -> User:
            company = resolve_company(uow, None)
            return add_user(uow, op, company, email, first_name, last_name, disabled)

        user: User = self._runtime().transaction(add)
        return user

    def add_token(
        self, serial: str, user: str | None = None, seed: bytes | str | None = None
    ) -> str:
        """A SID700 token (serial of 1 to 12 digits), assigned and Enabled when `user` (an
        e-mail) is given, else a spare, Disabled. `seed`: 16 bytes or 32 hex digits (default:
        random). Returns the seed in hex; `tokencode` computes its codes."""
        raw = secrets.token_bytes(SEED_BYTES) if seed is None else seed
        seed_bytes = bytes.fromhex(raw) if isinstance(raw, str) else raw

        def add(uow: Any, op: Operator) -> None:
            company = resolve_company(uow, None)
            add_hardware_token(uow, op, company, serial, user, TokenSeed(seed_bytes))

        self._runtime().transaction(add)
        self._seeds[serial] = seed_bytes
        return seed_bytes.hex()

    def tokencode(self, serial: str, at: datetime | float | None = None) -> str:
        """The 6-digit tokencode the token shows at `at` (a datetime or epoch seconds;
        default: now)."""
        moment = time.time() if at is None else at
        epoch = moment if isinstance(moment, datetime) else datetime.fromtimestamp(moment, UTC)
        return tokencode(self._seeds[serial], serial, epoch)

    # What happened.

    def audit_events(self) -> list[AdminLogEntry]:
        """The audit trail, oldest first, as the admin log export shows it."""
        link_pending(self.db.unit_of_work)  # as the export does: every committed event
        with self.db.unit_of_work(readonly=True) as uow:
            return [admin_log_entry(event) for event in uow.audit.iter_all()]

    def environ(self) -> dict[str, str]:
        """``os.environ`` plus what `mfadesk` commands need to work on this server's data."""
        return {
            **os.environ,
            "MFADESK_DATABASE_URL": self.settings.database_url,
            "MFADESK_SECRET_KEY_FILE": str(self.settings.secret_key_file),
            "MFADESK_PUBLIC_URL": self.base_url,
        }
