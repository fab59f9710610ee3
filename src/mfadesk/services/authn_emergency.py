"""Emergency tokencodes on the authentication side: the online check, and the offline bundle an
agent may download after a successful online authentication."""

from __future__ import annotations

from dataclasses import dataclass, replace

from mfadesk.domain.authn_attempts import Verdict
from mfadesk.domain.authn_methods import ResponseCode
from mfadesk.domain.emergency_tokencodes import EmergencyTokencode
from mfadesk.domain.lockout import Lockout
from mfadesk.domain.user_events import UserEventReason
from mfadesk.domain.users import User, UserStatus
from mfadesk.otp.emergency import OfflineBundle, online_matches
from mfadesk.otp.tickets import seal, unseal
from mfadesk.services.authn_call import AuthnCall
from mfadesk.services.authn_keys import authenticate_client
from mfadesk.store.unit_of_work import UnitOfWork

MAX_CODE_LENGTH = 64


def has_usable_emergency(uow: UnitOfWork, call: AuthnCall, user: User) -> bool:
    code = uow.emergency_tokencodes.enabled(user.id)
    return code is not None and code.usable_online(call.now)


def verify_emergency(uow: UnitOfWork, call: AuthnCall, user: User, value: str) -> Verdict:
    """``EMERGENCY_TOKENCODE``: the user's current online code (a one-time code succeeds once)."""
    code = uow.emergency_tokencodes.enabled(user.id, for_update=True)
    if code is None or not code.usable_online(call.now):
        return Verdict.fail(UserEventReason.NO_USABLE_CREDENTIAL)
    policy = call.config.lockout
    lockout = code.lockout.current(call.now)
    if lockout.locked(call.now, policy):
        return Verdict.fail(UserEventReason.CREDENTIAL_LOCKED)
    key = call.env.keys.emergency_hmac
    if len(value) <= MAX_CODE_LENGTH and online_matches(key, user.id, value, code.online_hash):
        used_at = call.now if code.one_time_use else code.used_at
        uow.emergency_tokencodes.save_check(replace(code, used_at=used_at, lockout=Lockout()))
        return Verdict(ResponseCode.SUCCESS, UserEventReason.CREDENTIAL_VERIFIED)
    failed = replace(code, lockout=lockout.after_failure(call.now, policy))
    uow.emergency_tokencodes.save_check(failed)
    return Verdict.fail(UserEventReason.WRONG_CREDENTIAL)


def offline_ticket(uow: UnitOfWork, call: AuthnCall, user: User) -> str | None:
    """A short-lived ticket for the user's offline bundle, if there is one to hand out."""
    code = uow.emergency_tokencodes.enabled(user.id)
    if code is None or not code.offline_downloadable(call.now):
        return None
    claims = {"c": user.company_id, "u": user.id, "e": code.id, "k": call.client.id}
    return seal(
        call.env.keys.offline_ticket, claims, call.now + call.config.offline_ticket_lifetime
    )


@dataclass(frozen=True, slots=True)
class DownloadedBundle:
    subject_name: str
    bundle: OfflineBundle


def download_offline_bundle(
    uow: UnitOfWork, call: AuthnCall, ticket: str
) -> DownloadedBundle | None:
    """The bundle a ticket names, for the agent it was given to, while the code is still
    enabled online and valid offline; None otherwise."""
    key = authenticate_client(uow, call)
    claims = unseal(call.env.keys.offline_ticket, ticket, call.now)
    if claims is None or claims.get("k") != key.id or claims.get("c") != key.company_id:
        return None
    user = uow.users.get(key.company_id, claims.get("u", ""))
    if user is None or user.status is not UserStatus.ENABLED or user.mark_deleted:
        return None
    code: EmergencyTokencode | None = uow.emergency_tokencodes.get(user.id, claims.get("e", ""))
    if code is None or not code.offline_downloadable(call.now):
        return None
    return DownloadedBundle(
        subject_name=user.email,
        bundle=OfflineBundle(
            user_id=user.id,
            emergency_tokencode_id=code.id,
            verifier=code.offline_verifier,
            offline_expires_at=code.offline_expires_at,
        ),
    )
