"""`mfadesk demo`: an idempotent demo tenant to try the API against."""

from __future__ import annotations

import base64
import os
import shlex
import shutil
import sys
from pathlib import Path

import click

from mfadesk.cli.admins import create_admin_key_file
from mfadesk.cli.key_files import read_key_file, stage_key_file
from mfadesk.cli.runtime import Runtime, runtime
from mfadesk.domain.admins import Role
from mfadesk.domain.users import normalize_email
from mfadesk.services.provisioning import (
    add_ds100,
    add_hardware_token,
    add_user,
    ensure_company,
)
from mfadesk.store.unit_of_work import UnitOfWork

COMPANY = "Demo Company"
USERS = (
    ("alice@example.com", "Alice", "Jones", False),
    ("bob@example.com", "Bob", "Smith", False),
    ("carol@example.com", "Carol", "White", True),
    ("dave@example.com", "Dave", "Brown", False),
)
TOKENS = (
    ("000100000001", "alice@example.com"),
    ("000100000002", "bob@example.com"),
    ("000100000003", None),
    ("000100000004", None),
)
DS100 = (("140100080", "dave@example.com"),)
# The public SecurID test vector's seed (authn-reference.md): for trying logins, not a secret.
TRY_SERIAL, TRY_SEED = "000123456789", "0f3f7439c2f122e0443ca8ea9bc263a7"
ADMINS = (
    ("super-admin@example.com", Role.SUPER_ADMIN, "super-admin.key"),
    ("helpdesk@example.com", Role.HELP_DESK_ADMIN, "help-desk-admin.key"),
)
# The console signs an admin in with a passcode of the *user* with the admin's e-mail: the demo
# gives each demo admin such a user and a token whose seed mfadesk holds (`mfadesk token code`).
CONSOLE_TOKENS = {"super-admin@example.com": "000100000011", "helpdesk@example.com": "000100000012"}


def _ensure_objects(rt: Runtime) -> list[str]:
    made: list[str] = []

    def ensure(uow: UnitOfWork, op):  # type: ignore[no-untyped-def]
        company = ensure_company(uow, op, COMPANY)
        for email, first, last, disabled in USERS:
            if uow.users.get_by_email(company.id, normalize_email(email)) is None:
                user = add_user(uow, op, company, email, first, last, disabled)
                made.append(f"user {email} ({user.status.value}) {user.id}")
        for serial, owner in TOKENS:
            if not uow.hardware_tokens.exists(serial):
                add_hardware_token(uow, op, company, serial, owner)
                made.append(
                    f"SID700 token {serial} " + (f"assigned to {owner}" if owner else "unassigned")
                )
        for device, owner in DS100:
            if not uow.ds100.device_exists(device):
                _, credentials = add_ds100(uow, op, company, device, owner)
                made.append(
                    f"DS100 device {device} of {owner}: OTP credential {credentials[0].serial}"
                )

    rt.transaction(ensure)
    return made


def _ensure_console_sign_in(rt: Runtime, keys_dir: Path) -> tuple[list[str], list[str]]:
    """Each demo admin's user, token and console password (a random one, written to a file
    beside the key files, mode 0600, when the admin has none or its file is gone)."""
    from mfadesk.otp.passwords import hash_password
    from mfadesk.services.operator_console import set_admin_password

    made: list[str] = []
    hints: list[str] = []
    for email, _role, filename in ADMINS:
        serial = CONSOLE_TOKENS[email]
        password_file = (keys_dir / filename).with_suffix(".console-password").resolve()

        def ensure(uow: UnitOfWork, op, email=email, serial=serial, path=password_file):  # type: ignore[no-untyped-def]
            company = ensure_company(uow, op, COMPANY)
            if uow.users.get_by_email(company.id, normalize_email(email)) is None:
                add_user(uow, op, company, email, "Demo", "Admin", False)
                made.append(f"user {email} (to sign in to the console)")
            if not uow.hardware_tokens.exists(serial):
                add_hardware_token(uow, op, company, serial, email)
                made.append(f"SID700 token {serial} assigned to {email}")
            admin = uow.admins.get_by_email(company.id, email)
            if admin is not None and (
                uow.console.password_hash(admin.id) is None or not path.exists()
            ):
                password = base64.urlsafe_b64encode(op.env.random.token_bytes(15)).decode()
                set_admin_password(uow, op, company, email, hash_password(password))
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as out:
                    out.write(password + "\n")
                made.append(f"console password of {email} written to {path}")

        rt.transaction(ensure)
        hints.append(f"  {email:<26} password in {password_file}, token {serial}")
    return made, hints


def _key_is_live(rt: Runtime, path: Path) -> bool:
    contents = read_key_file(path)
    if contents is None:
        return False
    with rt.db.unit_of_work() as uow:
        found = uow.admins.by_access_id(contents.accessID)
    return found is not None and not found[1].revoked


def _point_at(path: Path, url: str) -> bool:
    """Make the key file name `url` (the demo served on another port); whether it changed."""
    contents = read_key_file(path)
    if contents is None or contents.adminRestApiUrl == url:
        return False
    os.replace(stage_key_file(path, contents.model_copy(update={"adminRestApiUrl": url})), path)
    return True


def own_command() -> str:
    """How to call this `mfadesk` from here: by name if PATH finds it, else by its path
    (``.venv/bin/mfadesk`` from a clone whose virtual environment is not activated)."""
    script = Path(sys.executable).parent / "mfadesk"
    if not script.exists():
        return "mfadesk"
    found = shutil.which("mfadesk")
    if found is not None and Path(found).resolve() == script.resolve():
        return "mfadesk"
    if script.is_relative_to(Path.cwd()):
        return str(script.relative_to(Path.cwd()))
    return str(script)


@click.command("demo")
@click.option(
    "--keys-dir",
    default="var/keys",
    type=click.Path(file_okay=False, path_type=Path),
    show_default=True,
    help="Where the demo administrators' key files go.",
)
def demo(keys_dir: Path) -> None:
    """Create (once) a demo company with users, tokens, a DS100 device and two admins."""
    with runtime(create=True) as rt:
        made = _ensure_objects(rt)
        url = rt.settings.admin_rest_api_url
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        key_files: list[tuple[str, Role, Path]] = []
        for email, role, filename in ADMINS:
            path = (keys_dir / filename).resolve()
            if not _key_is_live(rt, path):
                create_admin_key_file(rt, email, role, path, COMPANY, f"demo {role} key")
                made.append(f"{role} {email} with key file {path}")
            elif _point_at(path, url):
                made.append(f"key file {path} now names {url}")
            key_files.append((email, role, path))
        console_made, console_hints = _ensure_console_sign_in(rt, keys_dir)
        made.extend(console_made)
        console_url = rt.settings.effective_public_url() + "/console"
    click.echo(f"Demo tenant '{COMPANY}': " + ("created" if made else "already in place"))
    for line in made:
        click.echo(f"  + {line}")
    click.echo("Key files (keep them secret):")
    for email, role, path in key_files:
        click.echo(f"  {role:<16} {email:<26} {path}")
    command = shlex.quote(own_command())
    click.echo(f"Admin API: {url}  (served by `make run`, or `{command} serve`)")
    help_desk = shlex.quote(str(key_files[-1][2]))
    alice, serial = USERS[0][0], TOKENS[0][0]
    click.echo("Then, from another shell here, disable and enable Alice's token through the API:")
    for verb in ("disable", "enable"):
        click.echo(
            f"  {command} api --key-file {help_desk} token {verb} --user {alice} --serial {serial}"
        )
    click.echo("More: README.md 'The Python SDK and `mfadesk api`', docs/sdk.md.")
    click.echo(
        "Try a SecurID login: PINs are required, so a token's first login sets its PIN"
        " (New PIN mode). Give Alice a token with the public test seed, and an agent a key:"
    )
    click.echo(f"  {command} token add --serial {TRY_SERIAL} --user {alice} --seed {TRY_SEED}")
    click.echo(f"  (umask 077 && {command} authn-key add --name try-it --json > var/try-it.json)")
    click.echo("then README.md 'Authenticating a user' walks her through it (docs/authn.md 4b).")
    click.echo(f"Web console: {console_url}  (docs/console.md). Sign in with E-mail, Password, and")
    click.echo(
        f"as Passcode the tokencode `{command} token code SERIAL` prints (the first sign-in asks"
        " for a new PIN; after that the passcode is PIN + tokencode):"
    )
    for hint in console_hints:
        click.echo(hint)
