"""Operator tasks for the console: an administrator's console password, and the current
tokencode of a token whose seed mfadesk holds (to sign in to a demo, or to help a user whose
token is out of reach). Both audited with the operator as the actor."""

from __future__ import annotations

from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.company import Company
from mfadesk.domain.errors import NotFound
from mfadesk.domain.securid_credentials import CredentialKind, SecurIdCredential
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
    """The tokencode an assigned, enabled SID700 token or DS100 OTP credential shows now."""
    found = _seeded_credential(uow, company, serial)
    if found is None or found[0].seed_ciphertext is None:
        raise NotFound(
            f"No assigned, enabled token or DS100 OTP credential {serial} with a seed"
            f" in {company.name}"
        )
    credential, target = found
    assert credential.seed_ciphertext is not None
    seed = SeedCipher(op.env.keys.seed_encryption).decrypt(serial, credential.seed_ciphertext)
    generator = TokenGenerator(
        seed, normalize_serial(serial), credential.digits, credential.interval_seconds
    )
    what = "token" if target.type is TargetType.HARDWARE_TOKEN else "DS100 OTP credential"
    op.audit(
        uow,
        company,
        Action.SHOW_TOKENCODE,
        target,
        f"Current tokencode of {what} {serial} shown to the operator",
        changed=False,
    )
    return generator.at(op.now)


def _seeded_credential(
    uow: UnitOfWork, company: Company, serial: str
) -> tuple[SecurIdCredential, Target] | None:
    """The enabled credential behind a SID700 serial or a DS100 OTP credential's serial, with
    the audit target it is shown as; None unless it is assigned and enabled."""
    token = uow.hardware_tokens.get(company.id, serial)
    if token is not None:
        kind, owner = CredentialKind.SID700, token.user_id
        target = Target(TargetType.HARDWARE_TOKEN, serial, serial)
    else:
        otp = uow.ds100.get_credential(company.id, serial)
        device = None if otp is None else uow.ds100.get_device(company.id, otp.device_serial)
        kind, owner = CredentialKind.DS100, None if device is None else device.user_id
        target = Target(TargetType.DS100_OTP_CREDENTIAL, serial, serial)
    credential = (
        None if owner is None else uow.securid_credentials.get(company.id, owner, kind, serial)
    )
    return None if credential is None else (credential, target)
