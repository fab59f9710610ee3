"""New PIN mode: storing the PIN a user chose for a credential that had none.

Runs in the attempt's transaction, which holds the attempt's row, the user's row and the
credential's row: the PIN is stored together with the attempt's next step, or not at all. Of
two New PIN exchanges for one credential, the second finds the PIN set and fails.
"""

from __future__ import annotations

from mfadesk.domain.authn_attempts import Verdict
from mfadesk.domain.pins import StoredPin
from mfadesk.domain.securid_flow import new_pin_verdict
from mfadesk.domain.securid_steps import Pending
from mfadesk.domain.user_events import UserEventReason
from mfadesk.domain.users import User
from mfadesk.otp.pins import SALT_BYTES, pin_digest
from mfadesk.services.authn_call import AuthnCall
from mfadesk.services.authn_securid import pin_policy_of
from mfadesk.services.context import ServiceEnv
from mfadesk.store.unit_of_work import UnitOfWork


def seal_pin(env: ServiceEnv, serial: str, pin: str) -> StoredPin:
    """What is kept of a PIN: a fresh random salt and the keyed digest over it."""
    salt = env.random.token_bytes(SALT_BYTES)
    return StoredPin(salt, pin_digest(env.keys.pin_hmac, salt, serial, pin))


def verify_new_pin(
    uow: UnitOfWork, call: AuthnCall, user: User, pending: Pending, value: str
) -> Verdict:
    """``SECURID_NEWPIN``: the new PIN for the credential in New PIN mode (the agent asked the
    person twice; it sends it once)."""
    credential = uow.securid_credentials.get(
        user.company_id, user.id, pending.kind, pending.serial, for_update=True
    )
    if credential is None or not credential.usable(call.now.date()):
        return Verdict.fail(UserEventReason.NO_USABLE_CREDENTIAL, pending.serial)
    if credential.state.current(call.now).locked(call.now, call.config.lockout):
        return Verdict.fail(UserEventReason.CREDENTIAL_LOCKED, pending.serial)
    if credential.pin is not None:
        return Verdict.fail(UserEventReason.PIN_ALREADY_SET, pending.serial)
    pin = value.strip()
    verdict = new_pin_verdict(pending, pin_policy_of(uow, user), pin)
    if verdict.reason is not UserEventReason.PIN_ACCEPTED:
        return verdict
    stored = seal_pin(call.env, credential.serial, pin)
    if not uow.securid_credentials.set_pin(credential.kind, credential.serial, stored):
        return Verdict.fail(UserEventReason.PIN_ALREADY_SET, pending.serial)
    return verdict
