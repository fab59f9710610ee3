"""One real server with the console and one headless Chromium per test module.

The console's tenant: the usual test tenant (tests/support/tenant.py) with PINs required, and
for each console administrator a *user* with the same e-mail holding a token whose seed the
test knows, so that the tests compute real passcodes at the server's (injected) time."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import pytest

from mfadesk.api.app import create_app
from mfadesk.console import console_edge
from mfadesk.domain.admins import Role
from mfadesk.domain.pins import PinPolicy
from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.otp.passwords import hash_password
from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.otp.tokencodes import TokenGenerator, normalize_serial
from mfadesk.services.authn_new_pin import seal_pin
from mfadesk.services.context import ServiceEnv
from mfadesk.services.operator_console import set_admin_password
from mfadesk.services.provisioning import (
    Operator,
    TokenSeed,
    add_admin,
    add_hardware_token,
    add_user,
)
from mfadesk.settings import Settings
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from tests.support.clock import MutableClock
from tests.support.keys import key_pair
from tests.support.live_server import LiveServer, free_port
from tests.support.tenant import Tenant, build_tenant

PASSWORD = "correct horse battery staple"
PIN = "2580"
IDLE_SECONDS = 900


@dataclass
class ConsoleAdmin:
    email: str
    serial: str
    seed: bytes
    pin: str | None


@dataclass
class ConsoleStack:
    base_url: str
    db: Database
    env: ServiceEnv
    clock: MutableClock
    tenant: Tenant
    admins: dict[str, ConsoleAdmin] = field(default_factory=dict)
    shots: Path = Path()
    shot_count: int = 0

    def passcode(self, name: str, *, pin: str | None = None, wrong: bool = False) -> str:
        """A fresh passcode: the clock moves to the next interval first (codes are spent)."""
        self.clock.advance(timedelta(seconds=60))
        admin = self.admins[name]
        generator = TokenGenerator(admin.seed, normalize_serial(admin.serial), 6, 60)
        code = generator.at(self.clock())
        if wrong:
            code = f"{(int(code) + 1) % 1_000_000:06d}"
        return (pin if pin is not None else admin.pin or "") + code

    def tokencode(self, name: str) -> str:
        admin = self.admins[name]
        return TokenGenerator(admin.seed, normalize_serial(admin.serial), 6, 60).at(self.clock())


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return found


def _console_tenant(db: Database, env: ServiceEnv) -> tuple[Tenant, dict[str, ConsoleAdmin]]:
    tenant = build_tenant(db, env)
    op = Operator.start(env)
    admins: dict[str, ConsoleAdmin] = {}
    with db.unit_of_work() as uow:
        company = uow.companies.get(tenant.company_id)
        assert company is not None
        uow.companies.save_pin_policy(company.id, PinPolicy(required=True))
        extra = (("newpin", Role.HELP_DESK_ADMIN), ("locked", Role.HELP_DESK_ADMIN))
        for index, (name, role) in enumerate(extra, start=2):
            _, public = key_pair(index)
            add_admin(uow, op, company, f"{name}@acme.example", role, public, "test key")
        for index, name in enumerate(("super", "helpdesk", "newpin", "locked"), start=1):
            email = f"{name}@acme.example"
            add_user(uow, op, company, email, name.title(), "Admin", False)
            serial = f"0003000000{index:02d}"
            seed = bytes([index]) * 16
            add_hardware_token(uow, op, company, serial, email, TokenSeed(seed))
            pin = None if name == "newpin" else PIN
            if pin is not None:
                assert uow.securid_credentials.set_pin(
                    CredentialKind.SID700, serial, seal_pin(env, serial, pin)
                )
            set_admin_password(uow, op, company, email, hash_password(PASSWORD))
            admins[name] = ConsoleAdmin(email, serial, seed, pin)
    return tenant, admins


@pytest.fixture(scope="module")
def console(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleStack]:
    """A module may change the server's settings with ``CONSOLE_SETTINGS = {...}``."""
    base = tmp_path_factory.mktemp("console")
    port = free_port()
    overrides = getattr(request.module, "CONSOLE_SETTINGS", {})
    settings = replace(
        Settings(
            database_url=f"sqlite:///{base / 'mfadesk.db'}",
            public_url=f"http://127.0.0.1:{port}",
            secret_key_file=base / "secret.key",
            rate_limit_per_second=10_000,
            rate_limit_burst=10_000,
            offline_hash_cost_log2=10,
            authn_lockout_failures=3,
        ),
        **overrides,
    )
    clock = MutableClock()
    env = ServiceEnv(
        keys=load_or_create_server_keys(settings.secret_key_file),
        clock=clock,
        offline_cost_log2=settings.offline_hash_cost_log2,
    )
    db = Database(settings.database_url)
    upgrade(db.engine)
    tenant, admins = _console_tenant(db, env)
    edge_env = {"MFADESK_CONSOLE_IDLE_SECONDS": str(IDLE_SECONDS)}
    app = create_app(settings, env, edges=[lambda state: console_edge(state, edge_env)])
    shots = base / "screenshots"
    shots.mkdir()
    with LiveServer(app, port) as server:
        yield ConsoleStack(server.base_url, db, env, clock, tenant, admins, shots)
    db.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, console: ConsoleStack) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()
