"""SecurID PINs: a company's PIN policy, the rules a new PIN must meet, and a PIN at rest.

A SID700 token or DS100 OTP credential has a PIN or none. The PIN itself is never kept: only a
keyed digest (``StoredPin``; see ``mfadesk.otp.pins``), which nobody without the server's key file
can test PIN candidates against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise

from mfadesk.domain.errors import BadRequest

MIN_PIN_LENGTH = 4
MAX_PIN_LENGTH = 8
# A passcode's PIN part is 4 to 8 letters or digits whatever the policy: a PIN set under an
# earlier policy stays valid when the policy changes.
PIN_LENGTHS = range(MIN_PIN_LENGTH, MAX_PIN_LENGTH + 1)


class PinRefusal(StrEnum):
    """Why a new PIN breaks the policy (for the user event log; the PIN is never logged)."""

    LENGTH = "LENGTH"
    CHARACTERS = "CHARACTERS"
    TRIVIAL = "TRIVIAL"


def is_trivial(pin: str) -> bool:
    """One repeated character (``1111``, ``aaaa``) or a run of consecutive ascending or
    descending digits (``1234``, ``9876``)."""
    if len(set(pin)) == 1:
        return True
    if not (pin.isascii() and pin.isdigit()):
        return False
    steps = {int(b) - int(a) for a, b in pairwise(pin)}
    return steps in ({1}, {-1})


@dataclass(frozen=True, slots=True)
class PinPolicy:
    """The company's PIN rules (names and defaults are ours: see authn-reference.md)."""

    required: bool = True
    min_length: int = MIN_PIN_LENGTH
    max_length: int = MAX_PIN_LENGTH
    alphanumeric: bool = False

    def __post_init__(self) -> None:
        for name, value in (("minimum", self.min_length), ("maximum", self.max_length)):
            if not MIN_PIN_LENGTH <= value <= MAX_PIN_LENGTH:
                raise BadRequest(
                    f"The PIN {name} length must be between {MIN_PIN_LENGTH} and {MAX_PIN_LENGTH}."
                )
        if self.min_length > self.max_length:
            raise BadRequest("The PIN minimum length must not exceed the maximum length.")

    @property
    def format_regex(self) -> str:
        characters = "A-Za-z0-9" if self.alphanumeric else "0-9"
        return f"^[{characters}]{{{self.min_length},{self.max_length}}}$"

    def refusal(self, pin: str) -> PinRefusal | None:
        """Why ``pin`` may not become a PIN, or None when it may."""
        if not self.min_length <= len(pin) <= self.max_length:
            return PinRefusal.LENGTH
        allowed = pin.isalnum() if self.alphanumeric else pin.isdigit()
        if not (pin.isascii() and allowed):
            return PinRefusal.CHARACTERS
        if is_trivial(pin):
            return PinRefusal.TRIVIAL
        return None


@dataclass(frozen=True, slots=True)
class StoredPin:
    """A credential's PIN at rest: a random salt and the keyed digest over it."""

    salt: bytes = field(repr=False)
    digest: bytes = field(repr=False)
