"""The authentication methods agents can use, their prompts, and the codes answers carry."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

METHOD_VERSION = "1.0.0"
# A SecurID PIN is 4 to 8 alphanumerics; PINs are not stored yet, so one is accepted unchecked.
_PIN_LENGTHS = range(4, 9)


class Method(StrEnum):
    SECURID = "SECURID"
    SECURID_NEXT_TOKENCODE = "SECURID_NEXT_TOKENCODE"
    EMERGENCY_TOKENCODE = "EMERGENCY_TOKENCODE"


class ResponseCode(StrEnum):
    SUCCESS = "SUCCESS"
    FAIL = "FAIL"
    ERROR = "ERROR"
    CHALLENGE = "CHALLENGE"
    IN_PROCESS = "IN_PROCESS"


# The one reason each outcome carries on the wire: a failure never says what was wrong.
REASONS: dict[ResponseCode, str] = {
    ResponseCode.SUCCESS: "CREDENTIAL_VERIFIED",
    ResponseCode.FAIL: "VERIFY_ERROR",
    ResponseCode.CHALLENGE: "AUTHENTICATION_REQUIRED",
}
CANCELLED_REASON = "AUTHN_CANCELLED"


@dataclass(frozen=True, slots=True)
class Prompt:
    resource_id: str
    default_text: str
    display_name: str


PROMPTS: dict[Method, Prompt] = {
    Method.SECURID: Prompt(
        "SecurID.Resource.Prompt.Passcode", "Enter your SecurID passcode:", "RSA SecurID"
    ),
    Method.SECURID_NEXT_TOKENCODE: Prompt(
        "SecurID.Resource.Prompt.Next.Tokencode",
        "Wait for the tokencode to change, then enter the next tokencode:",
        "Next Tokencode",
    ),
    Method.EMERGENCY_TOKENCODE: Prompt(
        "SecurID.Resource.Prompt.Emergency.Tokencode",
        "Enter your emergency tokencode:",
        "Emergency Tokencode",
    ),
}
RESOURCE_TEXTS: dict[str, str] = {p.resource_id: p.default_text for p in PROMPTS.values()}


def parse_method(method_id: str) -> Method | None:
    try:
        return Method(method_id.strip().upper())
    except ValueError:
        return None


def canonical_method_id(method_id: str) -> str:
    """How answers and the log name a method the agent sent: ours in upper case, any other
    upper-cased as far as ASCII goes (so never longer than what was sent)."""
    method = parse_method(method_id)
    if method is not None:
        return method.value
    return "".join(c.upper() if c.isascii() else c for c in method_id.strip())


def tokencode_of(passcode: str, digits: int) -> str | None:
    """The tokencode part of ``[PIN]tokencode``; None if the passcode cannot be one."""
    text = passcode.strip()
    code, pin = text[len(text) - digits :], text[: len(text) - digits]
    if len(code) != digits or not (code.isascii() and code.isdigit()):
        return None
    if pin and not (len(pin) in _PIN_LENGTHS and pin.isascii() and pin.isalnum()):
        return None
    return code


def next_tokencode_of(value: str, digits: int) -> str | None:
    """The next tokencode is the tokencode alone, without a PIN."""
    code = value.strip()
    return code if len(code) == digits and code.isascii() and code.isdigit() else None
