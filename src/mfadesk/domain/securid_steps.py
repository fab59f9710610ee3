"""What an open SecurID attempt waits for after a challenge, kept with the attempt."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mfadesk.domain.authn_methods import Method
from mfadesk.domain.securid_credentials import CredentialKind

# The third PIN refused by the policy in one attempt ends it (as RSA Authentication Manager).
MAX_PIN_REFUSALS = 3


class Step(StrEnum):
    NEXT_TOKENCODE = "NEXT_TOKENCODE"  # the next consecutive tokencode, alone
    NEW_PIN = "NEW_PIN"  # New PIN mode: the PIN the user chose
    NEW_PIN_PASSCODE = "NEW_PIN_PASSCODE"  # the new PIN followed by a later tokencode


_METHODS = {
    Step.NEXT_TOKENCODE: Method.SECURID_NEXT_TOKENCODE,
    Step.NEW_PIN: Method.SECURID_NEWPIN,
    Step.NEW_PIN_PASSCODE: Method.SECURID,
}


@dataclass(frozen=True, slots=True)
class Pending:
    """The step one credential of the user is in. ``interval`` is that of the tokencode that
    opened it (spent: only later ones are accepted); ``refusals`` counts new PINs the policy
    refused in this attempt."""

    step: Step
    kind: CredentialKind
    serial: str
    interval: int
    refusals: int = 0

    @property
    def method(self) -> Method:
        """The one method that answers this step."""
        return _METHODS[self.step]
