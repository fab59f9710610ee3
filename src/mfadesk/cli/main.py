"""Entry point of the `mfadesk` command."""

from __future__ import annotations

import click

from mfadesk import __version__
from mfadesk.cli.lazy import LazyGroup

# Each command's module is imported only when that command runs (see cli/lazy.py).
COMMANDS = {
    "serve": "mfadesk.cli.serve:serve",
    "migrate": "mfadesk.cli.migrate:migrate",
    "demo": "mfadesk.cli.demo:demo",
    "company": "mfadesk.cli.companies:company_group",
    "admin": "mfadesk.cli.admins:admin_group",
    "user": "mfadesk.cli.users:user_group",
    "source": "mfadesk.cli.sources:source_group",
    "token": "mfadesk.cli.tokens:token_group",
    "ds100": "mfadesk.cli.ds100:ds100_group",
    "audit": "mfadesk.cli.audit:audit_group",
    "settings": "mfadesk.cli.settings:settings_group",
    "api": "mfadesk.cli.remote:api_group",  # remote administration through the SDK
    "authn-key": "mfadesk.cli.authn_keys:authn_key_group",
    "radius-client": "mfadesk.cli.radius_clients:radius_client_group",
    "oauth-client": "mfadesk.cli.oauth_clients:oauth_client_group",
    "backup": "mfadesk.cli.backup:backup",
    "restore": "mfadesk.cli.backup:restore",
}
# `api` needs only the base install (the SDK); every other command works on the server's
# database and needs the `server` extra.
NEEDS_SERVER = {name: "server" for name in COMMANDS if name != "api"}


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    extras=NEEDS_SERVER,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="mfadesk")
def cli() -> None:
    """mfadesk: a self-hostable RSA SecurID Cloud Administration REST API.

    Honours MFADESK_DATABASE_URL, MFADESK_PUBLIC_URL and MFADESK_SECRET_KEY_FILE.
    """


def main() -> None:
    cli(prog_name="mfadesk")
