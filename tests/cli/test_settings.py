"""`mfadesk settings show|set`: the operator's emergency-access settings, honoured by v1 and v2."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from tests.conftest import Stack
from tests.support.operator_cli import COMPANY, Cli

DEFAULTS = {
    "locked": False,
    "defaultValidity": "7d",
    "oneTimeUse": False,
    "codeLength": 8,
    "alphabet": "23456789ABCDEFGHJKMNPQRSTUVWXYZ",
    "offlineValidity": "7d",
    "pinRequired": True,
    "pinMinLength": 4,
    "pinMaxLength": 8,
    "pinAlphanumeric": False,
}


def stack_cli(stack: Stack) -> Cli:
    """The command line on the running server's own database and key."""
    cli = Cli(stack.settings.secret_key_file.parent, stack.settings.database_url)
    cli.env["MFADESK_SECRET_KEY_FILE"] = str(stack.settings.secret_key_file)
    return cli


def settings(cli: Cli, *args: str) -> Any:
    return json.loads(cli.run("settings", *args, "--json").stdout)


def test_show_needs_a_company(tmp_path: Path, database_url: str) -> None:
    cli = Cli(tmp_path, database_url).prepare(company=None)
    assert cli.fails("settings", "show") == (
        "mfadesk: error: no company yet: add one with `mfadesk company add NAME`"
    )


def test_show_and_set(cli: Cli) -> None:
    cli.run("user", "add", "--email", "eve@example.com")
    assert settings(cli, "show") == {"company": COMPANY, **DEFAULTS}
    changed = settings(
        cli,
        "set",
        "--locked",
        "--default-validity",
        "12h",
        "--one-time-use",
        "--code-length",
        "10",
        "--alphabet",
        "ABCDEFGHJK",
        "--offline-validity",
        "90m",
    )
    expected = {
        "company": COMPANY,
        "locked": True,
        "defaultValidity": "12h",
        "oneTimeUse": True,
        "codeLength": 10,
        "alphabet": "ABCDEFGHJK",
        "offlineValidity": "90m",
        **{k: v for k, v in DEFAULTS.items() if k.startswith("pin")},
    }
    assert changed == expected
    assert settings(cli, "show") == expected
    partial = settings(cli, "set", "--unlocked", "--reusable")
    assert partial == expected | {"locked": False, "oneTimeUse": False}
    text = cli.run("settings", "show").stdout
    assert "default validity  12h" in text and "locked            no" in text
    assert cli.run("audit", "verify").returncode == 0


def test_every_change_is_audited_with_the_operator(stack: Stack) -> None:
    cli = stack_cli(stack)
    cli.run("settings", "set", "--code-length", "9", "--default-validity", "2d")
    cli.run("settings", "set", "--code-length", "9")
    events = [
        e.event
        for e in stack.audit_events()
        if e.event.action is Action.CHANGE_EMERGENCY_ACCESS_SETTINGS
    ]
    assert [(e.admin_email, e.admin_role, e.source_ip) for e in events] == [
        ("operator", "Operator", "local")
    ] * 2
    assert [(e.result, e.changed) for e in events] == [
        (Result.SUCCESS, True),
        (Result.SUCCESS, False),
    ]
    assert events[0].message == (
        "Emergency access settings changed: default validity 7d -> 2d, code length 8 -> 9"
    )
    assert events[1].message == "Emergency access settings unchanged"
    assert (events[0].target.id, events[0].target.name) == (stack.tenant.company_id, "Acme")


INVALID = [
    ((), "nothing to change: give at least one setting"),
    (("--default-validity", "8d"), "Default validity must be between 1 minute and 7 days."),
    (("--default-validity", "0m"), "Default validity must be between 1 minute and 7 days."),
    (
        ("--default-validity", "7 days"),
        "--default-validity must be a number of days, hours or minutes: 7d, 12h, 90m",
    ),
    (
        ("--offline-validity", "-1d"),
        "--offline-validity must be a number of days, hours or minutes: 7d, 12h, 90m",
    ),
    (("--offline-validity", "31d"), "Offline validity must be between 0 and 30 days."),
    (("--code-length", "5"), "Code length must be between 6 and 32 characters."),
    (("--code-length", "33"), "Code length must be between 6 and 32 characters."),
    (("--code-length", "ten"), "--code-length must be a whole number"),
    (
        ("--alphabet", "ABCDEFGHI"),
        "The alphabet needs at least 10 distinct characters, none repeated.",
    ),
    (
        ("--alphabet", "ABCDEFGHIJA"),
        "The alphabet needs at least 10 distinct characters, none repeated.",
    ),
    (("--alphabet", "ABCDEFGHI-"), "The alphabet may hold only letters and digits."),
    (("--alphabet", "ABCDEFGHIé"), "The alphabet may hold only letters and digits."),
    (("--alphabet", "ABCDEFGHIa"), "The alphabet must not hold a letter in both cases."),
]


def test_invalid_settings_are_one_line_and_change_nothing(cli: Cli) -> None:
    cli.run("user", "add", "--email", "eve@example.com")
    for args, message in INVALID:
        line = cli.fails("settings", "set", *args)
        assert line.startswith(f"mfadesk: error: {message}"), (args, line)
    assert settings(cli, "show") == {"company": COMPANY, **DEFAULTS}


def test_an_unknown_company_is_an_error_never_a_new_one(cli: Cli) -> None:
    unknown = "mfadesk: error: company 'Nope' not found (`mfadesk company list` shows them, "
    assert cli.fails("settings", "set", "--company", "Nope", "--code-length", "9").startswith(
        unknown
    )
    assert cli.fails("settings", "show", "--company", "Nope").startswith(unknown)
    assert [c["name"] for c in cli.json("company", "list")] == [COMPANY]
    assert settings(cli, "show") == {"company": COMPANY, **DEFAULTS}


def test_several_companies_need_a_name(cli: Cli) -> None:
    cli.run("company", "add", "One")
    cli.run("company", "add", "Two")
    assert "choose one with --company" in cli.fails("settings", "set", "--locked")
    assert settings(cli, "set", "--company", "Two", "--locked")["locked"] is True
    assert settings(cli, "show", "--company", "One")["locked"] is False


def issue(stack: Stack, version: str, body: Any) -> Any:
    alice = stack.tenant.user("alice")
    with stack.client() as api:
        response = api.put(f"{version}/users/{alice}/emergencyTokencode", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def one_time_use(stack: Stack, code_id: str) -> bool:
    with stack.db.unit_of_work() as uow:
        code = uow.emergency_tokencodes.get(stack.tenant.user("alice"), code_id)
    assert code is not None
    return code.one_time_use


def test_code_length_and_alphabet_are_honoured_by_v1_and_v2(stack: Stack) -> None:
    stack_cli(stack).run("settings", "set", "--code-length", "12", "--alphabet", "0123456789")
    for version, body in (("v1", {"expirationDays": "1"}), ("v2", {})):
        code = issue(stack, version, body)["emergencyTokencode"]
        assert len(code) == 12 and set(code) <= set("0123456789"), version


def test_a_locked_validity_is_honoured_by_v1_and_v2(stack: Stack) -> None:
    stack_cli(stack).run(
        "settings", "set", "--locked", "--default-validity", "90m", "--offline-validity", "1d"
    )
    now = stack.clock()
    v1 = issue(stack, "v1", {"expirationDays": "7"})
    assert v1["expirationDate"] == format_timestamp(now + timedelta(minutes=90))
    assert v1["offlineExpirationDate"] == format_timestamp(now + timedelta(days=1, minutes=90))
    v2 = issue(stack, "v2", {"expiryUnit": "days", "expiryValue": 3})
    assert v2["expirationDate"] == format_timestamp(now + timedelta(minutes=90))
    assert v2["configurationsUsed"] == {
        "expiryValue": 90,
        "expiryUnit": "minutes",
        "oneTimeUse": False,
    }
    assert v2["configurationsLocked"] is True
    stack_cli(stack).run("settings", "set", "--unlocked")
    v1 = issue(stack, "v1", {"expirationDays": "3"})
    assert v1["expirationDate"] == format_timestamp(now + timedelta(days=3))


def test_the_one_time_use_default_is_honoured_by_v1_and_v2(stack: Stack) -> None:
    stack_cli(stack).run("settings", "set", "--one-time-use")
    v1 = issue(stack, "v1", {"expirationDays": "1"})
    assert one_time_use(stack, v1["emergencyTokencodeId"]) is True
    v2 = issue(stack, "v2", {})
    assert v2["oneTimeUse"] is True and one_time_use(stack, v2["emergencyTokencodeId"])
    reusable = issue(stack, "v2", {"oneTimeUse": False})  # unlocked: the request wins
    assert reusable["oneTimeUse"] is False
    stack_cli(stack).run("settings", "set", "--locked")
    forced = issue(stack, "v2", {"oneTimeUse": False})  # locked: the company wins
    assert forced["oneTimeUse"] is True and forced["configurationsLocked"] is True
