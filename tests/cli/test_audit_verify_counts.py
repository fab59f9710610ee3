"""`mfadesk audit verify` counts the events the way the admin log export does.

The trail is the whole database's: every company's events and the refused requests that named
no known API key (no bearer token, an unknown accessID), which belong to no company and are in
no export. A run that counted 538 events against 537 exported had one of those; verify now
names each company's count, the one its export shows, and the others apart.
"""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from mfadesk.services.audit import NO_COMPANY
from tests.conftest import Stack
from tests.support.exports import export, failed_lookup, window


def verify(stack: Stack) -> list[str]:
    env = {
        **os.environ,
        "MFADESK_DATABASE_URL": stack.settings.database_url,
        "MFADESK_SECRET_KEY_FILE": str(stack.settings.secret_key_file),
    }
    result = subprocess.run(
        [sys.executable, "-m", "mfadesk", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_verify_counts_each_company_as_its_export_does(stack: Stack) -> None:
    failed_lookup(stack, "ghost")  # an event of the company
    refused = httpx.post(f"{stack.admin_base}/v1/users/lookup", json={"email": "x@acme.example"})
    assert refused.status_code == 403  # no bearer token: audited, but of no company
    exported = export(stack, **window(stack)).json()["totalElements"]
    in_trail = len(stack.audit_events())
    assert in_trail == exported + 1

    lines = verify(stack)

    assert lines[0] == f"audit trail intact: {in_trail} events"
    assert [line.split(maxsplit=1) for line in lines[1:]] == [
        [str(exported), "Acme"],
        ["1", NO_COMPANY],
    ]


def test_verify_of_one_company_only_has_no_orphans_line(stack: Stack) -> None:
    exported = export(stack, **window(stack)).json()["totalElements"]
    assert verify(stack)[1:] == [f"  {exported}  Acme"]
