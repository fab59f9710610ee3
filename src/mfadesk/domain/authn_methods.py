"""The authentication methods agents can use, their prompts, and the codes answers carry."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mfadesk.domain.pins import PIN_LENGTHS, PinPolicy

METHOD_VERSION = "1.0.0"


class Method(StrEnum):
    SECURID = "SECURID"
    SECURID_NEXT_TOKENCODE = "SECURID_NEXT_TOKENCODE"
    SECURID_NEWPIN = "SECURID_NEWPIN"
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
_NEW_PIN_RULES = "not one repeated character nor a run of digits such as 1234:"
# New PIN mode. The texts take the policy's lengths as promptArgs {0} and {1}.
NEW_PIN_PROMPTS: dict[tuple[bool, bool], Prompt] = {
    (alphanumeric, again): Prompt(
        "SecurID.Resource.Prompt.New.PIN"
        + (".Rejected" if again else "")
        + (".Alphanumeric" if alphanumeric else ".Numeric"),
        ("PIN rejected. " if again else "")
        + "Enter a new PIN of {0} to {1} "
        + ("letters or digits, " if alphanumeric else "digits, ")
        + _NEW_PIN_RULES,
        "New PIN",
    )
    for alphanumeric in (False, True)
    for again in (False, True)
}
PIN_ACCEPTED_PROMPT = Prompt(
    "SecurID.Resource.Prompt.New.PIN.Accepted",
    "PIN accepted. Wait for the tokencode to change, "
    "then enter your new PIN followed by the tokencode:",
    "RSA SecurID",
)
RESOURCE_TEXTS: dict[str, str] = {
    p.resource_id: p.default_text
    for p in (*PROMPTS.values(), *NEW_PIN_PROMPTS.values(), PIN_ACCEPTED_PROMPT)
}


@dataclass(frozen=True, slots=True)
class Challenge:
    """One method an answer asks for, with its prompt; a PIN to define carries the policy the
    prompt states (lengths, format)."""

    method: Method
    prompt: Prompt
    pin_policy: PinPolicy | None = None

    @classmethod
    def of(cls, method: Method) -> Challenge:
        return cls(method, PROMPTS[method])

    @classmethod
    def new_pin(cls, policy: PinPolicy, *, again: bool = False) -> Challenge:
        return cls(Method.SECURID_NEWPIN, NEW_PIN_PROMPTS[policy.alphanumeric, again], policy)

    @property
    def prompt_args(self) -> tuple[str, ...]:
        policy = self.pin_policy
        return () if policy is None else (str(policy.min_length), str(policy.max_length))

    @property
    def default_text(self) -> str:
        return self.prompt.default_text.format(*self.prompt_args)


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


@dataclass(frozen=True, slots=True)
class Passcode:
    """``[PIN]tokencode`` taken apart; ``pin`` is empty when only a tokencode was sent."""

    pin: str
    tokencode: str

    def __repr__(self) -> str:
        return "Passcode(…)"  # never a PIN or a code in a log or a traceback


def split_passcode(passcode: str, digits: int) -> Passcode | None:
    """The PIN and tokencode of ``[PIN]tokencode``; None if the passcode cannot be one."""
    text = passcode.strip()
    code, pin = text[len(text) - digits :], text[: len(text) - digits]
    if len(code) != digits or not (code.isascii() and code.isdigit()):
        return None
    if pin and not (len(pin) in PIN_LENGTHS and pin.isascii() and pin.isalnum()):
        return None
    return Passcode(pin, code)


def tokencode_of(passcode: str, digits: int) -> str | None:
    """The tokencode part of ``[PIN]tokencode``; None if the passcode cannot be one."""
    parts = split_passcode(passcode, digits)
    return None if parts is None else parts.tokencode


def next_tokencode_of(value: str, digits: int) -> str | None:
    """The next tokencode is the tokencode alone, without a PIN."""
    code = value.strip()
    return code if len(code) == digits and code.isascii() and code.isdigit() else None
