"""`mfadesk admin set-password`, `mfadesk token code` and the demo's console sign-in: real
processes on a real SQLite file, then the console served over it."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import httpx

from mfadesk.api.app import create_app
from mfadesk.console import console_edge
from mfadesk.domain.admins import Role
from mfadesk.domain.audit import Action, TargetType
from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import Operator, add_admin, resolve_company
from mfadesk.settings import Settings
from mfadesk.store.database import Database
from tests.support.keys import key_pair
from tests.support.live_server import LiveServer, free_port
from tests.support.operator_cli import Cli


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_demo_admins_sign_in_with_the_printed_password_and_token_code(tmp_path: Path) -> None:
    cli = Cli(tmp_path, f"sqlite:///{tmp_path / 'demo.db'}")
    shown = cli.run("demo").stdout
    assert "/console" in shown and "token code SERIAL" in shown
    password_file = tmp_path / "var" / "keys" / "help-desk-admin.console-password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert "helpdesk@example.com" in shown and str(password_file) in shown
    assert "already in place" in cli.run("demo").stdout  # idempotent, password kept
    code = cli.run("token", "code", "000100000012").stdout.strip()
    assert re.fullmatch(r"\d{6}", code)
    assert "000100000099" in cli.fails("token", "code", "000100000099")
    ds100_code = cli.run("token", "code", "014010008031").stdout.strip()  # the demo's DS100
    assert re.fullmatch(r"\d{6}", ds100_code)
    db = Database(f"sqlite:///{tmp_path / 'demo.db'}")
    with db.unit_of_work() as uow:
        shown_codes = [
            e.event for e in uow.audit.iter_all() if e.event.action is Action.SHOW_TOKENCODE
        ]
    db.close()
    assert [(e.target.type, e.target.id, e.admin_email) for e in shown_codes] == [
        (TargetType.HARDWARE_TOKEN, "000100000012", "operator"),
        (TargetType.DS100_OTP_CREDENTIAL, "014010008031", "operator"),
    ]
    assert code not in shown_codes[0].message
    settings = Settings.from_env(cli.env)
    port = free_port()
    app = create_app(settings, edges=[console_edge])
    with LiveServer(app, port) as server, httpx.Client(base_url=server.base_url) as browser:
        login = browser.get("/console/login")
        form = {
            "csrf": _csrf(login.text),
            "email": "helpdesk@example.com",
            "password": password_file.read_text().strip(),
            "passcode": code,
        }
        answer = browser.post("/console/login", data=form)
    # The demo token has no PIN yet: New PIN mode, as a page asking for the new PIN.
    assert answer.status_code == 200 and "Choose a new PIN" in answer.text


def test_set_password_reads_a_file_and_refuses_a_short_one(tmp_path: Path) -> None:
    cli = Cli(tmp_path, f"sqlite:///{tmp_path / 'pw.db'}").prepare()
    db = Database(f"sqlite:///{tmp_path / 'pw.db'}")
    env = ServiceEnv(keys=load_or_create_server_keys(tmp_path / "secret.key"))
    with db.unit_of_work() as uow:
        company = resolve_company(uow, None)
        _, public = key_pair(0)
        op = Operator.start(env)
        add_admin(uow, op, company, "helpdesk@example.com", Role.HELP_DESK_ADMIN, public, "k")
    db.close()
    short = tmp_path / "short"
    short.write_text("too short\n")
    assert "at least 12" in cli.fails(
        "admin", "set-password", "--email", "helpdesk@example.com", "--password-file", str(short)
    )
    good = tmp_path / "good"
    good.write_text("a perfectly long password\n")
    done = cli.run(
        "admin", "set-password", "--email", "helpdesk@example.com", "--password-file", str(good)
    ).stdout
    assert "Console password of helpdesk@example.com set" in done
    assert "No administrator" in cli.fails(
        "admin", "set-password", "--email", "nobody@example.com", "--password-file", str(good)
    )
    no_terminal = cli.run("admin", "set-password", "--email", "helpdesk@example.com", ok=False)
    assert no_terminal.returncode == 1 and "--password-file" in no_terminal.stderr
