"""PIN tests: the company's PIN policy, credentials whose tokencodes Debian's ``stoken`` computes
(an independent implementation, as in test_authn_stoken_oracle.py), and reading PIN state."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from mfadesk.domain.pins import PinPolicy
from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.otp.seed_cipher import SeedCipher
from mfadesk.services.provisioning import (
    Operator,
    TokenSeed,
    add_hardware_token,
    add_user,
    ensure_company,
)
from tests.conftest import Stack
from tests.otp.test_otp_stoken_oracle import StokenRunner, ctf_string, random_serial
from tests.support.authn import credential, email


def require_pins(stack: Stack, **policy: Any) -> None:
    """The tenant's PIN policy: required (4 to 8 digits) unless told otherwise."""
    with stack.db.unit_of_work() as uow:
        uow.companies.save_pin_policy(
            stack.tenant.company_id, PinPolicy(**{"required": True, **policy})
        )


@dataclass
class OracleToken:
    """A credential of a tenant user; its codes come from ``stoken`` at the server's time."""

    stack: Stack
    stoken: StokenRunner
    user: str
    serial: str
    seed: bytes
    digits: int = 6
    kind: CredentialKind = CredentialKind.SID700

    def code(self, intervals: int = 0) -> str:
        """The code the token shows ``intervals`` minutes from the server's clock."""
        at = int(self.stack.clock().timestamp()) + 60 * intervals
        token = f"--token={ctf_string(self.seed, self.serial, self.digits, 60)}"
        code = self.stoken("tokencode", token, f"--use-time={at}", "--force").strip()
        assert len(code) == self.digits and code.isdigit()
        return code

    def pin_digest(self) -> bytes | None:
        """The stored digest of the credential's PIN (None: no PIN)."""
        found = credential(self.stack, self.user, self.serial)
        return None if found.pin is None else found.pin.digest


def tenant_token(
    stack: Stack, stoken: StokenRunner, user: str, serial: str, kind: CredentialKind
) -> OracleToken:
    """One of the tenant's own credentials (its seed decrypted as the server does)."""
    found = credential(stack, user, serial)
    assert found.seed_ciphertext is not None
    seed = SeedCipher(stack.env.keys.seed_encryption).decrypt(serial, found.seed_ciphertext)
    return OracleToken(stack, stoken, user, serial, seed, found.digits, kind)


def new_user_token(stack: Stack, stoken: StokenRunner, user: str, digits: int = 6) -> OracleToken:
    """A new user with a new seeded SID700 token (as ``user add`` and ``token add --seed``)."""
    seed, serial = secrets.token_bytes(16), random_serial()
    with stack.db.unit_of_work() as uow:
        op = Operator.start(stack.env)
        company = ensure_company(uow, op, "Acme")
        stack.tenant.user_ids[user] = add_user(uow, op, company, email(user)).id
        add_hardware_token(uow, op, company, serial, email(user), TokenSeed(seed, digits=digits))
    return OracleToken(stack, stoken, user, serial, seed, digits)


def first_challenge(answer: dict[str, Any]) -> dict[str, Any]:
    """The one method a challenge asks for."""
    [challenge] = answer["challengeMethods"]["challenges"]
    [method] = challenge["requiredMethods"]
    return dict(method)
