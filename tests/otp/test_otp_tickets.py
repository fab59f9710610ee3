"""Signed short-lived tickets, and the replay-aware tokencode search."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from mfadesk.otp.tickets import seal, unseal
from mfadesk.otp.tokencodes import TokenGenerator

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
KEY = secrets.token_bytes(32)


def test_a_ticket_opens_until_it_expires() -> None:
    ticket = seal(KEY, {"u": "user", "e": "code"}, NOW + timedelta(minutes=5))
    assert unseal(KEY, ticket, NOW) == {"u": "user", "e": "code"}
    assert unseal(KEY, ticket, NOW + timedelta(minutes=5) - timedelta(seconds=1)) is not None
    assert unseal(KEY, ticket, NOW + timedelta(minutes=5)) is None


def test_forged_or_garbled_tickets_do_not_open() -> None:
    ticket = seal(KEY, {"u": "user"}, NOW + timedelta(minutes=5))
    version, payload, mac = ticket.split(".")
    other = seal(KEY, {"u": "mallory"}, NOW + timedelta(minutes=5)).split(".")[1]
    for bad in (
        f"{version}.{other}.{mac}",
        f"v2.{payload}.{mac}",
        ticket + "x",
        "",
        "a.b",
        "v1.!!!.???",
        "v1." + "A" * 2000 + ".AAAA",
    ):
        assert unseal(KEY, bad, NOW) is None, bad
    assert unseal(secrets.token_bytes(32), ticket, NOW) is None


def test_find_match_skips_intervals_already_used() -> None:
    generator = TokenGenerator(secrets.token_bytes(16), "000123456789")
    now = 1_700_000_030
    index = now // 60
    code = generator.code_for_interval(index)
    assert generator.find_match(code, now, window=1).interval_index == index  # type: ignore[union-attr]
    assert generator.find_match(code, now, window=1, after_interval=index) is None
    assert generator.find_match(code, now, window=1, after_interval=index - 1) is not None
    following = generator.code_for_interval(index + 1)
    found = generator.find_match(following, now, window=1, after_interval=index)
    assert found is not None and found.delta == 1
