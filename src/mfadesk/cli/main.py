"""Entry point of the `mfadesk` command."""

from __future__ import annotations

import click

from mfadesk import __version__
from mfadesk.cli.admins import admin_group
from mfadesk.cli.audit import audit_group
from mfadesk.cli.authn_keys import authn_key_group
from mfadesk.cli.demo import demo
from mfadesk.cli.ds100 import ds100_group
from mfadesk.cli.remote import api_group
from mfadesk.cli.serve import serve
from mfadesk.cli.settings import settings_group
from mfadesk.cli.tokens import token_group
from mfadesk.cli.users import user_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mfadesk")
def cli() -> None:
    """mfadesk: a self-hostable RSA SecurID Cloud Administration REST API.

    Honours MFADESK_DATABASE_URL, MFADESK_PUBLIC_URL and MFADESK_SECRET_KEY_FILE.
    """


for command in (
    serve,
    demo,
    admin_group,
    user_group,
    token_group,
    ds100_group,
    audit_group,
    settings_group,
):
    cli.add_command(command)
cli.add_command(api_group)  # remote administration through the SDK
cli.add_command(authn_key_group)


def main() -> None:
    cli(prog_name="mfadesk")
