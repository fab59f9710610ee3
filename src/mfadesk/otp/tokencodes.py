"""SecurID 128-bit (AES) tokencodes, computed by the ``securid`` library."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from securid import Token

SERIAL_LENGTH = 12
SEED_LENGTH = 16
SUPPORTED_DIGITS = (6, 7, 8)
SUPPORTED_INTERVALS = (30, 60)

# The SecurID AES chain yields one 16-byte block per four consecutive intervals.
_CODES_PER_BLOCK = 4
_MAX_CACHED_BLOCKS = 16
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Match:
    """Where a tokencode matched: ``delta`` from now+offset, and the absolute interval."""

    delta: int
    interval_index: int


def normalize_serial(serial: str) -> str:
    """Return the 12-digit form of a token serial number.

    Raises ``ValueError`` unless ``serial`` is 1 to 12 ASCII digits.
    """
    if not (serial.isascii() and serial.isdigit() and len(serial) <= SERIAL_LENGTH):
        raise ValueError("a token serial number must be 1 to 12 digits")
    return serial.zfill(SERIAL_LENGTH)


def epoch_seconds(at: datetime | int) -> int:
    """Whole UNIX seconds for ``at``; naive datetimes are refused as ambiguous."""
    if isinstance(at, datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("datetime must be timezone-aware")
        return (at - _EPOCH) // _ONE_SECOND
    return int(at)


class _BlockToken(Token):
    """A ``securid.Token`` that keeps the AES block instead of cutting one code from it.

    ``Token.generate_otp`` derives a block holding four consecutive codes, then returns
    one; hooking ``_output_code`` lets a verification window reuse the block.
    """

    block: bytes = b""

    def _output_code(self, input: datetime, key: bytes) -> str:
        self.block = bytes(key)
        return ""


class TokenGenerator:
    """Tokencodes of one SecurID token.

    Reuse an instance for several codes of the same token: it caches the few AES
    blocks it computed, so a ±3 interval search costs two or three AES chains.
    Not thread-safe; the module-level functions use a fresh instance per call.
    """

    __slots__ = ("_blocks", "_digits", "_interval", "_token")

    def __init__(self, seed: bytes, serial: str, digits: int = 6, interval: int = 60) -> None:
        if not isinstance(seed, bytes | bytearray):
            # securid would silently take a str seed as ASCII bytes.
            raise TypeError("seed must be bytes")
        if len(seed) != SEED_LENGTH:
            raise ValueError(f"a SecurID AES seed is {SEED_LENGTH} bytes, not {len(seed)}")
        if digits not in SUPPORTED_DIGITS:
            raise ValueError(f"digits must be one of {SUPPORTED_DIGITS}")
        if interval not in SUPPORTED_INTERVALS:
            raise ValueError(f"interval must be one of {SUPPORTED_INTERVALS} seconds")
        self._token = _BlockToken(
            serial=normalize_serial(serial), seed=bytes(seed), interval=interval, pin=None
        )
        self._digits = digits
        self._interval = interval
        self._blocks: dict[int, bytes] = {}

    @property
    def interval(self) -> int:
        """Seconds per tokencode."""
        return self._interval

    def interval_index(self, at: datetime | int) -> int:
        """The absolute interval number (UNIX time // interval) containing ``at``."""
        return epoch_seconds(at) // self._interval

    def at(self, at: datetime | int) -> str:
        """The tokencode shown at ``at`` (aware datetime or UNIX seconds)."""
        return self.code_for_interval(self.interval_index(at))

    def code_for_interval(self, index: int) -> str:
        """The tokencode of absolute interval ``index``."""
        block_number, slot = divmod(index, _CODES_PER_BLOCK)
        block = self._block(block_number)
        value = int.from_bytes(block[slot * 4 : slot * 4 + 4], "big")
        return f"{value % 10**self._digits:0{self._digits}d}"

    def find_match(
        self,
        code: str,
        now_epoch: int,
        *,
        offset_intervals: int = 0,
        window: int = 1,
        after_interval: int | None = None,
    ) -> Match | None:
        """Search ``code`` at now+offset+delta for delta = 0, -1, +1, … ±window.

        Intervals at or before ``after_interval`` (the last one used) are skipped: a
        tokencode is accepted once.
        """
        if window < 0:
            raise ValueError("window must not be negative")
        if len(code) != self._digits or not (code.isascii() and code.isdigit()):
            return None
        center = now_epoch // self._interval + offset_intervals
        found: Match | None = None
        # Every interval is compared, even after a match: how long a search takes does not tell
        # whether (or where) the code matched.
        for delta in _nearest_first(window):
            index = center + delta
            if after_interval is not None and index <= after_interval:
                continue
            if hmac.compare_digest(self.code_for_interval(index), code) and found is None:
                found = Match(delta=delta, interval_index=index)
        return found

    def _block(self, block_number: int) -> bytes:
        block = self._blocks.get(block_number)
        if block is None:
            start = datetime.fromtimestamp(block_number * _CODES_PER_BLOCK * self._interval, tz=UTC)
            self._token.block = b""
            self._token.generate_otp(start)
            block = self._token.block
            if len(block) != SEED_LENGTH:
                raise RuntimeError("securid.Token no longer exposes its AES block")
            if len(self._blocks) >= _MAX_CACHED_BLOCKS:
                self._blocks.clear()
            self._blocks[block_number] = block
        return block


def _nearest_first(window: int) -> Iterator[int]:
    yield 0
    for distance in range(1, window + 1):
        yield -distance
        yield distance


def tokencode(
    seed: bytes, serial: str, at: datetime | int, digits: int = 6, interval: int = 60
) -> str:
    """The SecurID tokencode of ``seed``/``serial`` at ``at`` (aware datetime or UNIX seconds)."""
    return TokenGenerator(seed, serial, digits, interval).at(at)


def find_match(
    seed: bytes,
    serial: str,
    code: str,
    now_epoch: int,
    *,
    offset_intervals: int,
    window: int,
    digits: int = 6,
    interval: int = 60,
) -> Match | None:
    """Like :func:`find_interval`, but also returns the absolute interval (for replay checks)."""
    generator = TokenGenerator(seed, serial, digits, interval)
    return generator.find_match(code, now_epoch, offset_intervals=offset_intervals, window=window)


def find_interval(
    seed: bytes,
    serial: str,
    code: str,
    now_epoch: int,
    *,
    offset_intervals: int,
    window: int,
    digits: int = 6,
    interval: int = 60,
) -> int | None:
    """The interval delta (relative to now+offset) where ``code`` matches, nearest first.

    Searches 0, -1, +1, -2, +2, … up to ±``window``; ``None`` when nothing matches.
    """
    match = find_match(
        seed,
        serial,
        code,
        now_epoch,
        offset_intervals=offset_intervals,
        window=window,
        digits=digits,
        interval=interval,
    )
    return None if match is None else match.delta
