"""`mfadesk settings set --pin-…`: the company's PIN policy, audited, validated as a whole."""

from __future__ import annotations

import json
from typing import Any

from mfadesk.domain.audit import Action, Result
from tests.cli.test_settings import stack_cli
from tests.conftest import Stack
from tests.support.operator_cli import COMPANY, Cli

PIN_DEFAULTS = {"pinRequired": True, "pinMinLength": 4, "pinMaxLength": 8, "pinAlphanumeric": False}


def pin_policy(cli: Cli, *args: str) -> dict[str, Any]:
    shown = json.loads(cli.run("settings", *args, "--json").stdout)
    return {k: v for k, v in shown.items() if k.startswith("pin")}


def test_show_and_set_the_pin_policy(cli: Cli) -> None:
    cli.run("user", "add", "--email", "eve@example.com")
    assert pin_policy(cli, "show") == PIN_DEFAULTS
    changed = pin_policy(
        cli,
        "set",
        "--pin-optional",
        "--pin-min-length",
        "6",
        "--pin-max-length",
        "7",
        "--pin-alphanumeric",
    )
    expected = {"pinRequired": False, "pinMinLength": 6, "pinMaxLength": 7, "pinAlphanumeric": True}
    assert changed == expected
    assert pin_policy(cli, "show") == expected
    assert pin_policy(cli, "set", "--pin-required", "--pin-numeric") == expected | {
        "pinRequired": True,
        "pinAlphanumeric": False,
    }
    text = cli.run("settings", "show").stdout
    assert f"SecurID PIN policy of {COMPANY}:" in text
    assert "length            6 to 7" in text and "characters        digits" in text


INVALID = [
    (("--pin-min-length", "3"), "The PIN minimum length must be between 4 and 8."),
    (("--pin-max-length", "9"), "The PIN maximum length must be between 4 and 8."),
    (("--pin-min-length", "0"), "The PIN minimum length must be between 4 and 8."),
    (("--pin-min-length", "7", "--pin-max-length", "6"), "The PIN minimum length must not"),
    (("--pin-min-length", "9", "--pin-max-length", "9"), "The PIN minimum length must be"),
    (("--pin-min-length", "six"), "--pin-min-length must be a whole number"),
    (("--pin-max-length", "-8"), "--pin-max-length must be a whole number"),
    # Validated against the current values too: the maximum is 8 by default…
    (("--pin-max-length", "3"), "The PIN maximum length must be between 4 and 8."),
    # …and a good emergency-access change does not go through beside a bad PIN change.
    (("--code-length", "9", "--pin-max-length", "12"), "The PIN maximum length must be"),
]


def test_invalid_pin_policies_are_one_line_and_change_nothing(cli: Cli) -> None:
    cli.run("user", "add", "--email", "eve@example.com")
    cli.run("settings", "set", "--pin-min-length", "6")
    for args, message in INVALID:
        line = cli.fails("settings", "set", *args)
        assert line.startswith(f"mfadesk: error: {message}"), (args, line)
    shown = json.loads(cli.run("settings", "show", "--json").stdout)
    assert shown["codeLength"] == 8
    assert pin_policy(cli, "show") == PIN_DEFAULTS | {"pinMinLength": 6}
    assert cli.fails("settings", "set", "--pin-min-length", "5", "--pin-max-length", "4")


def test_pin_policy_changes_are_audited(stack: Stack) -> None:
    cli = stack_cli(stack)
    cli.run("settings", "set", "--pin-required", "--pin-max-length", "6", "--pin-alphanumeric")
    cli.run("settings", "set", "--pin-max-length", "6")
    cli.run("settings", "set", "--code-length", "9")  # no PIN option: no PIN policy record
    events = [e.event for e in stack.audit_events() if e.event.action is Action.CHANGE_PIN_POLICY]
    assert [(e.admin_email, e.result, e.changed) for e in events] == [
        ("operator", Result.SUCCESS, True),
        ("operator", Result.SUCCESS, False),
    ]
    # The test tenant's PINs are optional (tests/support/tenant.py).
    assert events[0].message == (
        "PIN policy changed: required no -> yes, max length 8 -> 6, alphanumeric no -> yes"
    )
    assert events[1].message == "PIN policy unchanged"
    assert (events[0].target.id, events[0].target.name) == (stack.tenant.company_id, "Acme")
