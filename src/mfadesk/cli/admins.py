"""`mfadesk admin …`: administrators and their API key files."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import TextIO

import click

from mfadesk.cli.key_files import generate_key_pair, stage_key_file
from mfadesk.cli.runtime import CommandError, Runtime, emit_json, runtime
from mfadesk.domain.admins import Role
from mfadesk.services.provisioning import add_admin, resolve_company, revoke_api_key
from mfadesk.wire.key_file import KeyFile

ROLE_CHOICES = ("super-admin", "help-desk-admin")


def create_admin_key_file(
    rt: Runtime,
    email: str,
    role: Role,
    key_file: Path,
    company: str | None,
    description: str,
    valid_for: timedelta | None = None,
) -> KeyFile:
    """Register a new key for the administrator and write its key file (mode 0600).

    The file is staged before the transaction commits and moved into place after, so a failure
    leaves neither a key file without a key nor a usable key without its file.
    """
    pair = generate_key_pair()
    staged: Path | None = None

    def register(uow, op):  # type: ignore[no-untyped-def]
        nonlocal staged
        found = resolve_company(uow, company)
        _, access_id = add_admin(
            uow, op, found, email, role, pair.public_pem, description, valid_for
        )
        contents = KeyFile(
            customerName=found.name,
            accessID=access_id,
            accessKey=pair.private_pem,
            adminRestApiUrl=rt.settings.admin_rest_api_url,
            description=description,
        )
        staged = stage_key_file(key_file, contents)
        return contents

    try:
        contents: KeyFile = rt.transaction(register)
    except BaseException:
        if staged is not None:
            staged.unlink(missing_ok=True)
        raise
    assert staged is not None
    os.replace(staged, key_file)
    return contents


@click.group("admin")
def admin_group() -> None:
    """Administrators (Super Admin, Help Desk Admin) and their API keys."""


@admin_group.command("add")
@click.option("--email", required=True, help="The administrator's e-mail address.")
@click.option("--role", required=True, type=click.Choice(ROLE_CHOICES))
@click.option(
    "--key-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the key file (JSON, mode 0600).",
)
@click.option("--company", default=None, help="Company name (default: the only one).")
@click.option(
    "--valid-days",
    type=click.IntRange(1, 3650),
    default=None,
    help="The key expires after this many days (default: valid until revoked).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing key file.")
@click.option("--json", "as_json", is_flag=True, help="Print the accessID and paths as JSON.")
def add(
    email: str,
    role: str,
    key_file: Path,
    company: str | None,
    valid_days: int | None,
    force: bool,
    as_json: bool,
) -> None:
    """Create an administrator (or a new key for one) and write the key file."""
    if key_file.exists() and not force:
        raise CommandError(f"{key_file} exists; use --force to replace it")
    if not key_file.parent.is_dir():
        raise CommandError(f"cannot write {key_file}: directory {key_file.parent} does not exist")
    with runtime() as rt:
        contents = create_admin_key_file(
            rt,
            email,
            Role.from_cli_name(role),
            key_file,
            company,
            f"{role} key for {email}",
            None if valid_days is None else timedelta(days=valid_days),
        )
    if as_json:
        emit_json(
            {
                "email": email.lower(),
                "role": role,
                "accessID": contents.accessID,
                "keyFile": str(key_file.resolve()),
                "adminRestApiUrl": contents.adminRestApiUrl,
            }
        )
    else:
        click.echo(
            f"{Role.from_cli_name(role)} {email}: key {contents.accessID} written to {key_file}"
            + ("" if valid_days is None else f" (valid for {valid_days} days)")
        )


@admin_group.command("revoke")
@click.argument("access_id")
def revoke(access_id: str) -> None:
    """Revoke an API key by its accessID; requests signed with it fail at once."""
    with runtime() as rt:
        rt.transaction(lambda uow, op: revoke_api_key(uow, op, access_id))
    click.echo(f"API key {access_id} revoked")


@admin_group.command("set-password")
@click.option("--email", required=True, help="The administrator's e-mail address.")
@click.option(
    "--password-file",
    type=click.File("r"),
    default=None,
    help="Read the password from this file ('-': standard input); default: ask.",
)
@click.option("--company", default=None, help="Company name (default: the only one).")
def set_password(email: str, password_file: TextIO | None, company: str | None) -> None:
    """Set the administrator's console password (Argon2id); their console sessions end."""
    from mfadesk.otp.passwords import hash_password, password_problem
    from mfadesk.services.operator_console import set_admin_password

    if password_file is not None:
        password = password_file.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = click.prompt("Console password", hide_input=True, confirmation_prompt=True)
    else:
        raise CommandError("no terminal to ask for the password: use --password-file")
    problem = password_problem(password)
    if problem is not None:
        raise CommandError(problem)
    password_hash = hash_password(password)
    with runtime() as rt:
        ended = rt.transaction(
            lambda uow, op: set_admin_password(
                uow, op, resolve_company(uow, company), email, password_hash
            )
        )
    click.echo(f"Console password of {email.lower()} set ({ended} console session(s) ended)")
