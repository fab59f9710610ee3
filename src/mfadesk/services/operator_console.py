"""Operator tasks for the console: an administrator's console password, and the current
tokencode of a token whose seed mfadesk holds (to sign in to a demo, or to help a user whose
token is out of reach). Both audited with the operator as the actor."""

from __future__ import annotations

from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.company import Company
from mfadesk.domain.errors import NotFound
from mfadesk.domain.securid_credentials import CredentialKind
from mfadesk.domain.users import normalize_email
from mfadesk.otp.seed_cipher import SeedCipher
from mfadesk.otp.tokencodes import TokenGenerator, normalize_serial
from mfadesk.services.provisioning import Operator
from mfadesk.store.unit_of_work import UnitOfWork


def set_admin_password(
    uow: UnitOfWork, op: Operator, company: Company, email: str, password_hash: str
) -> int:
    """Store the administrator's new password hash (hashed by the caller, off any
    transaction) and end their console sessions; how many sessions ended."""
    normalized = normalize_email(email)
    admin = uow.admins.get_by_email(company.id, normalized)
    if admin is None:
        raise NotFound(f"No administrator {normalized} in {company.name}")
    uow.console.set_password_hash(admin.id, password_hash, op.now)
    ended = uow.console.end_sessions_of(admin.id, op.now)
    target = Target(TargetType.ADMIN, normalized, normalized)
    message = f"Console password of {normalized} set; {ended} console session(s) ended"
    op.audit(uow, company, Action.SET_CONSOLE_PASSWORD, target, message)
    return ended


def current_tokencode(uow: UnitOfWork, op: Operator, company: Company, serial: str) -> str:
    """The tokencode an assigned, enabled SID700 token shows now."""
    token = uow.hardware_tokens.get(company.id, serial)
    credential = (
        None
        if token is None or token.user_id is None
        else uow.securid_credentials.get(company.id, token.user_id, CredentialKind.SID700, serial)
    )
    if credential is None or credential.seed_ciphertext is None:
        raise NotFound(f"No assigned, enabled token {serial} with a seed in {company.name}")
    seed = SeedCipher(op.env.keys.seed_encryption).decrypt(serial, credential.seed_ciphertext)
    generator = TokenGenerator(
        seed, normalize_serial(serial), credential.digits, credential.interval_seconds
    )
    target = Target(TargetType.HARDWARE_TOKEN, serial, serial)
    op.audit(
        uow,
        company,
        Action.SHOW_TOKENCODE,
        target,
        f"Current tokencode of token {serial} shown to the operator",
        changed=False,
    )
    return generator.at(op.now)
