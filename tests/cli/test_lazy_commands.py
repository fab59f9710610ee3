"""Commands load their modules only when they run: `mfadesk api …` never imports the database
layer, operator commands never import the SDK, and every command keeps its name."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

PROBE = """
import json, sys
from mfadesk.cli.main import cli
try:
    cli(sys.argv[1:], prog_name="mfadesk")
except SystemExit:
    pass
watched = ("mfadesk", "sqlalchemy", "httpx", "alembic")
print(json.dumps(sorted(m for m in sys.modules if m.startswith(watched))))
"""


def modules_after(*args: str) -> set[str]:
    """The modules a fresh interpreter has imported after running `mfadesk ARGS`."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "args",
    [
        ("api", "user", "show", "--help"),
        (
            "api",
            "--key-file",
            "/nonexistent.key",
            "token",
            "disable",
            "--user",
            "a",
            "--serial",
            "1",
        ),
    ],
)
def test_remote_commands_skip_the_database_layer(args: tuple[str, ...]) -> None:
    loaded = modules_after(*args)
    assert "mfadesk.client" in loaded
    assert not {m for m in loaded if m.startswith(("sqlalchemy", "alembic", "mfadesk.store"))}
    assert not {"mfadesk.services.provisioning", "mfadesk.cli.runtime"} & loaded
    others = {"mfadesk.cli.remote.bulk", "mfadesk.cli.remote.audit", "mfadesk.cli.admins"}
    assert not others & loaded  # only the group that runs is imported


def test_operator_commands_skip_the_sdk() -> None:
    loaded = modules_after("user", "add", "--help")
    assert "mfadesk.cli.users" in loaded
    assert not {m for m in loaded if m.startswith(("mfadesk.client", "httpx"))}


def test_every_command_keeps_its_name() -> None:
    from mfadesk.cli.main import cli

    def tree(group: object) -> dict[str, object]:
        assert isinstance(group, click.Group)
        context = click.Context(group)
        found: dict[str, object] = {}
        for name in group.list_commands(context):
            command = group.get_command(context, name)
            assert command is not None, name
            found[name] = tree(command) if isinstance(command, click.Group) else None
        return found

    commands = tree(cli)
    assert set(commands) == {
        "serve", "migrate", "demo", "company", "admin", "user", "token", "ds100", "audit",
        "settings", "api", "authn-key", "source", "oauth-client", "radius-client",
        "backup", "restore",
    }  # fmt: skip
    assert commands["radius-client"] == {"add": None, "list": None, "remove": None}
    assert commands["api"] == {
        "audit": {"export": None},
        "bulk": None,
        "ds100": {"clear-pin": None, "delete": None, "disable": None, "enable": None, "show": None},
        "eac": {"disable": None, "enable": None},
        "token": {
            "assign": None,
            "clear-pin": None,
            "delete": None,
            "disable": None,
            "enable": None,
            "show": None,
            "unassign": None,
        },
        "user": {
            "delete": None,
            "devices": None,
            "mark-deleted": None,
            "search": None,
            "show": None,
            "status": None,
            "sync": None,
        },
    }
    assert commands["user"] == {"add": None, "import": None, "purge": None}
    assert commands["company"] == {"add": None, "list": None}
    assert commands["source"] == {
        "add-ldap": None,
        "add-scim": None,
        "list": None,
        "remove": None,
        "sync": None,
    }
    assert commands["token"] == {"add": None, "code": None, "import": None}
    assert commands["authn-key"] == {"add": None, "list": None, "revoke": None}
    assert commands["oauth-client"] == {"add": None, "list": None, "revoke": None}
    assert commands["settings"] == {"set": None, "show": None}
    assert commands["admin"] == {"add": None, "revoke": None, "set-password": None}
