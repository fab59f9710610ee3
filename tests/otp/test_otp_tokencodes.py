"""Tokencodes: the public vector, the securid library itself, and the interval search."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta, timezone

import pytest
from securid import Token

from mfadesk.otp.tokencodes import Match, TokenGenerator, find_interval, find_match, tokencode

SEED = bytes.fromhex("0f3f7439c2f122e0443ca8ea9bc263a7")
SERIAL = "530965299048"
VECTORS = [(0, "72730214"), (978310861, "27857231"), (1700000000, "19602005")]


def random_serial() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(12))


@pytest.mark.parametrize(("at", "expected"), VECTORS)
def test_public_vector_8_digits(at: int, expected: str) -> None:
    assert tokencode(SEED, SERIAL, at, digits=8) == expected


@pytest.mark.parametrize(("at", "expected"), VECTORS)
def test_public_vector_6_digits_are_the_last_six(at: int, expected: str) -> None:
    assert tokencode(SEED, SERIAL, at) == expected[-6:]


def test_aware_datetime_equals_epoch_seconds() -> None:
    moment = datetime.fromtimestamp(1700000000, tz=UTC)
    assert tokencode(SEED, SERIAL, moment, digits=8) == "19602005"
    elsewhere = moment.astimezone(timezone(timedelta(hours=-5)))
    assert tokencode(SEED, SERIAL, elsewhere, digits=8) == "19602005"


def test_six_digits_are_the_last_six_of_eight_for_random_seeds() -> None:
    rng = random.Random(7)
    for _ in range(200):
        seed, serial = secrets.token_bytes(16), random_serial()
        at = rng.randrange(0, 4_000_000_000)
        assert tokencode(seed, serial, at) == tokencode(seed, serial, at, digits=8)[-6:]


@pytest.mark.parametrize("interval", [60, 30])
@pytest.mark.parametrize("digits", [6, 8])
def test_matches_securid_token_api(interval: int, digits: int) -> None:
    """The block-caching path gives what ``securid.Token.at`` gives, code by code."""
    rng = random.Random(interval * digits)
    for _ in range(10):
        seed, serial = secrets.token_bytes(16), random_serial()
        reference = Token(serial=serial, seed=seed, interval=interval, digits=digits, pin=None)
        generator = TokenGenerator(seed, serial, digits=digits, interval=interval)
        start = rng.randrange(0, 4_000_000_000)
        # consecutive intervals cross AES block boundaries and reuse cached blocks
        for step in range(-9, 10):
            at = start + step * interval
            assert generator.at(at) == reference.at(at), (seed.hex(), serial, at)


def test_short_serial_is_zero_filled() -> None:
    assert tokencode(SEED, "12345", 1700000000) == tokencode(SEED, "000000012345", 1700000000)


@pytest.mark.parametrize(
    ("seed", "serial", "digits", "interval", "error"),
    [
        ("0f3f7439c2f122e0443ca8ea9bc263a7", SERIAL, 6, 60, TypeError),
        (SEED[:15], SERIAL, 6, 60, ValueError),
        (SEED, "53096529904A", 6, 60, ValueError),
        (SEED, "1234567890123", 6, 60, ValueError),
        (SEED, SERIAL, 5, 60, ValueError),
        (SEED, SERIAL, 6, 45, ValueError),
    ],
)
def test_invalid_arguments(
    seed: bytes, serial: str, digits: int, interval: int, error: type[Exception]
) -> None:
    with pytest.raises(error):
        tokencode(seed, serial, 0, digits=digits, interval=interval)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        tokencode(SEED, SERIAL, datetime(2023, 11, 14, 22, 13, 20))


NOW = 1700000000 + 17  # not on an interval boundary
CENTER = NOW // 60


def code_at(delta: int, offset: int = 0) -> str:
    return tokencode(SEED, SERIAL, (CENTER + offset + delta) * 60)


def test_window_codes_are_distinct() -> None:
    """Precondition of the search tests below: no collision in the window."""
    codes = [code_at(delta) for delta in range(-5, 6)]
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("delta", [0, -1, 1, -3, 3])
def test_find_interval_within_window(delta: int) -> None:
    found = find_interval(SEED, SERIAL, code_at(delta), NOW, offset_intervals=0, window=3)
    assert found == delta


@pytest.mark.parametrize("delta", [-4, 4, 5])
def test_find_interval_outside_window(delta: int) -> None:
    assert find_interval(SEED, SERIAL, code_at(delta), NOW, offset_intervals=0, window=3) is None


def test_find_interval_is_relative_to_the_offset() -> None:
    code = code_at(1, offset=2)
    assert find_interval(SEED, SERIAL, code, NOW, offset_intervals=2, window=1) == 1
    assert find_interval(SEED, SERIAL, code, NOW, offset_intervals=0, window=1) is None


def test_find_match_gives_absolute_interval() -> None:
    match = find_match(SEED, SERIAL, code_at(-2, offset=-1), NOW, offset_intervals=-1, window=3)
    assert match == Match(delta=-2, interval_index=CENTER - 3)


def test_window_zero_only_checks_now() -> None:
    assert find_interval(SEED, SERIAL, code_at(0), NOW, offset_intervals=0, window=0) == 0
    assert find_interval(SEED, SERIAL, code_at(1), NOW, offset_intervals=0, window=0) is None


def test_search_order_is_nearest_first() -> None:
    asked: list[int] = []

    class Recording(TokenGenerator):
        def code_for_interval(self, index: int) -> str:
            asked.append(index - CENTER)
            return super().code_for_interval(index)

    assert Recording(SEED, SERIAL).find_match("000000", NOW, window=2) is None
    assert asked == [0, -1, 1, -2, 2]


@pytest.mark.parametrize(
    "bad", ["", "12345", "1234567", "12345a", "\uff11\uff12\uff13\uff14\uff15\uff16", " 12345"]
)
def test_malformed_codes_never_match(bad: str) -> None:
    assert find_interval(SEED, SERIAL, bad, NOW, offset_intervals=0, window=3) is None


def test_eight_digit_search() -> None:
    code = tokencode(SEED, SERIAL, (CENTER + 2) * 60, digits=8)
    found = find_interval(SEED, SERIAL, code, NOW, offset_intervals=0, window=2, digits=8)
    assert found == 2


def test_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="window"):
        find_interval(SEED, SERIAL, "123456", NOW, offset_intervals=0, window=-1)
