"""Companies are added and listed explicitly; `--company` naming an unknown one is an error,
never a new company (issue 9, point 14)."""

from __future__ import annotations

import secrets
from pathlib import Path

from tests.cli.test_authn_commands import rows, serial
from tests.otp.conftest import build_sdtid
from tests.support.operator_cli import COMPANY, Cli

UNKNOWN = (
    "mfadesk: error: company 'Globex' not found (`mfadesk company list` shows them, "
    "`mfadesk company add` adds one)"
)


def test_company_add_and_list(cli: Cli) -> None:
    added = cli.json("company", "add", "  Globex ")
    assert added["name"] == "Globex" and len(added["id"]) == 36
    assert cli.run("company", "add", "Initech").stdout.startswith("company Initech: ")
    listed = cli.json("company", "list")
    assert [c["name"] for c in listed] == [COMPANY, "Globex", "Initech"]
    assert added in listed
    assert cli.run("company", "list").stdout.splitlines()[1] == f"Globex\t{added['id']}"
    assert cli.fails("company", "add", "Globex") == (
        "mfadesk: error: company 'Globex' already exists"
    )
    assert "1 to 255 characters" in cli.fails("company", "add", " ")
    audited = rows(cli, "SELECT target_name FROM audit_events WHERE action = 'CREATE_COMPANY'")
    assert sorted(r.target_name for r in audited) == [COMPANY, "Globex", "Initech"]


def test_an_unknown_company_is_an_error_never_a_new_company(cli: Cli, tmp_path: Path) -> None:
    key_file = tmp_path / "ops.key"
    sdtid = tmp_path / "batch.sdtid"
    sdtid.write_bytes(build_sdtid([(serial(), secrets.token_bytes(16))]))
    for args in [
        ("user", "add", "--email", "eve@example.com"),
        ("token", "add", "--serial", "123"),
        ("authn-key", "add", "--name", "vpn"),
        ("admin", "add", "--email", "a@example.com", "--role", "super-admin",
         "--key-file", str(key_file)),
        ("token", "import", str(sdtid)),  # stopped before any token, not one rejection each
    ]:  # fmt: skip
        assert cli.fails(*args, "--company", "Globex") == UNKNOWN, args
    assert [c["name"] for c in cli.json("company", "list")] == [COMPANY]
    assert not key_file.exists()
    assert rows(cli, "SELECT serial FROM hardware_tokens") == []
