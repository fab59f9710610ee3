"""Arranging authenticator state the API cannot reach (a PIN the user set) and reading it back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.ds100 import OtpCredential
from mfadesk.domain.hardware_tokens import HardwareToken
from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.services.authn_new_pin import seal_pin
from mfadesk.services.provisioning import Operator, add_hardware_token

if TYPE_CHECKING:
    from tests.conftest import Stack

# (activityKey, target id, admin e-mail, result, changed)
Step = tuple[Action, str, str | None, Result, bool]


def token(stack: Stack, serial: str) -> HardwareToken | None:
    with stack.db.unit_of_work() as uow:
        return uow.hardware_tokens.get(stack.tenant.company_id, serial)


def credential(stack: Stack, serial: str) -> OtpCredential | None:
    with stack.db.unit_of_work() as uow:
        return uow.ds100.get_credential(stack.tenant.company_id, serial)


DEFAULT_PIN = "2580"


def set_pin(stack: Stack, kind: CredentialKind, serial: str, pin: str = DEFAULT_PIN) -> None:
    """As if the user had chosen ``pin`` in New PIN mode."""
    with stack.db.unit_of_work() as uow:
        assert uow.securid_credentials.set_pin(kind, serial, seal_pin(stack.env, serial, pin))


def set_token_pin(stack: Stack, serial: str, pin: str = DEFAULT_PIN) -> None:
    set_pin(stack, CredentialKind.SID700, serial, pin)


def set_credential_pin(stack: Stack, serial: str, pin: str = DEFAULT_PIN) -> None:
    set_pin(stack, CredentialKind.DS100, serial, pin)


def add_spare_tokens(stack: Stack, serials: list[str]) -> None:
    """Unassigned (Disabled) tokens, added the way `mfadesk token add` adds them."""
    op = Operator.start(stack.env)
    with stack.db.unit_of_work() as uow:
        company = uow.companies.get(stack.tenant.company_id)
        assert company is not None
        for serial in serials:
            add_hardware_token(uow, op, company, serial)


def audit_mark(stack: Stack) -> int:
    return len(stack.audit_events())


def steps_since(stack: Stack, mark: int) -> list[Step]:
    """The audit trail written after `mark`, in order."""
    return [
        (e.action, e.target.id, e.admin_email, e.result, e.changed)
        for e in (stored.event for stored in stack.audit_events()[mark:])
    ]
