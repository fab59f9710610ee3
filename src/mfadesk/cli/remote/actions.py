"""The remote operations behind `mfadesk api …` and `mfadesk api bulk`, over the async SDK.

A user is named by e-mail or by id: an id (a UUID) is used as is, an e-mail is looked up
(`UserDirectory` looks each one up once per run).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Literal

from mfadesk.client import (
    AsyncAdminClient,
    Ds100CredentialStatus,
    EnableEmergencyTokencodeV1Response,
    SidTokenStatusResponse,
    UserDetailsResponse,
)
from mfadesk.wire.emergency_tokencodes import EnableEmergencyTokencodeV2Response
from mfadesk.wire.hardware_tokens import (
    SidTokenAssignmentResponse,
    SidTokenDetailsResponse,
    SidTokenUnassignmentResponse,
)
from mfadesk.wire.users import UserStatusResponse

_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
Unit = Literal["days", "hours", "minutes"]
MINUTES: dict[Unit, int] = {"days": 24 * 60, "hours": 60, "minutes": 1}
MAX_VALIDITY_MINUTES = 7 * 24 * 60

IssuedCode = EnableEmergencyTokencodeV1Response | EnableEmergencyTokencodeV2Response


class ActionRefused(ValueError):
    """The command refuses before (or instead of) asking the service; nothing was changed."""


class NeedsEmail(ActionRefused):
    """The operation needs a lookup, which only works by e-mail."""


class NotTheUsers(ActionRefused):
    """``--user`` names someone other than the object's holder."""


def is_user_id(user: str) -> bool:
    return bool(_UUID.match(user.strip()))


@dataclass(frozen=True, slots=True)
class UserRef:
    id: str
    email: str | None  # None when the user was named by id


class UserDirectory:
    """E-mail → user id, one lookup per e-mail however many rows name it (a failed lookup
    fails every row naming that e-mail the same way)."""

    def __init__(self, client: AsyncAdminClient) -> None:
        self._client = client
        self._ids: dict[str, asyncio.Task[str]] = {}

    async def resolve(self, user: str) -> UserRef:
        user = user.strip()
        if is_user_id(user):
            return UserRef(user.lower(), None)
        lookup = self._ids.get(user.lower())
        if lookup is None:
            lookup = asyncio.ensure_future(self._id_of(user))
            self._ids[user.lower()] = lookup
        return UserRef(await asyncio.shield(lookup), user)

    async def _id_of(self, email: str) -> str:
        return (await self._client.lookup_user(email)).id

    async def details(self, email: str) -> UserDetailsResponse:
        """A fresh lookup: the current emergency tokencode changes."""
        return await self._client.lookup_user(email.strip())


@dataclass(frozen=True, slots=True)
class EacDisabled:
    user: UserRef
    emergency_tokencode_id: str | None  # None: the user had no current code online


@dataclass(frozen=True, slots=True)
class Validity:
    """What `eac enable` (or a bulk row) asks for. Days alone go to v1 (``expirationDays``);
    hours, minutes or a one-time choice need v2, stated in the smallest unit given."""

    days: int | None = None
    hours: int | None = None
    minutes: int | None = None
    one_time: bool | None = None  # None: the company's default

    def __post_init__(self) -> None:
        given = [v for v in (self.days, self.hours, self.minutes) if v is not None]
        if not given:
            raise ValueError("a validity is needed: days (1 to 7), hours or minutes")
        if any(v < 0 for v in given) or not 1 <= self.total_minutes() <= MAX_VALIDITY_MINUTES:
            raise ValueError("the validity must be between 1 minute and 7 days")

    def total_minutes(self) -> int:
        return sum((v or 0) * MINUTES[unit] for unit, v in self._units())

    def _units(self) -> tuple[tuple[Unit, int | None], ...]:
        return (("days", self.days), ("hours", self.hours), ("minutes", self.minutes))

    @property
    def uses_v1(self) -> bool:
        return self.hours is None and self.minutes is None and self.one_time is None

    def v2_expiry(self) -> tuple[Unit, int]:
        unit = [name for name, value in self._units() if value is not None][-1]
        return unit, self.total_minutes() // MINUTES[unit]


async def enable_emergency_tokencode(
    client: AsyncAdminClient, users: UserDirectory, user: str, validity: Validity
) -> tuple[UserRef, IssuedCode]:
    ref = await users.resolve(user)
    if validity.uses_v1:
        assert validity.days is not None
        return ref, await client.enable_emergency_tokencode_v1(ref.id, validity.days)
    unit, value = validity.v2_expiry()
    issued = await client.enable_emergency_tokencode_v2(
        ref.id, expiry_unit=unit, expiry_value=value, one_time_use=validity.one_time
    )
    return ref, issued


async def disable_emergency_tokencode(
    client: AsyncAdminClient, users: UserDirectory, user: str, eac_id: str | None = None
) -> EacDisabled:
    """Disable the user's current code; its id comes from a lookup unless given."""
    if eac_id:
        ref = await users.resolve(user)
    elif is_user_id(user):
        raise NeedsEmail(
            "disabling an emergency tokencode needs the user's e-mail (its id comes from the "
            "user lookup) or the code's id"
        )
    else:
        details = await users.details(user)
        ref, eac_id = UserRef(details.id, user.strip()), details.emergencyTokencodeId
        if eac_id is None:
            return EacDisabled(ref, None)
    await client.disable_emergency_tokencode(ref.id, eac_id)
    return EacDisabled(ref, eac_id)


async def set_hardware_token(
    client: AsyncAdminClient, users: UserDirectory, user: str, serial: str, enable: bool
) -> SidTokenStatusResponse:
    ref = await users.resolve(user)
    if enable:
        return await client.enable_hardware_token(ref.id, serial)
    return await client.disable_hardware_token(ref.id, serial)


async def set_ds100(
    client: AsyncAdminClient, users: UserDirectory, user: str, device: str, enable: bool
) -> list[Ds100CredentialStatus]:
    ref = await users.resolve(user)
    if enable:
        return await client.enable_ds100_otp(ref.id, device)
    return await client.disable_ds100_otp(ref.id, device)


async def set_user_status(
    client: AsyncAdminClient, users: UserDirectory, user: str, enable: bool
) -> UserStatusResponse:
    ref = await users.resolve(user)
    return await client.set_user_status(ref.id, "Enabled" if enable else "Disabled")


async def assign_hardware_token(
    client: AsyncAdminClient, users: UserDirectory, user: str, serial: str, name: str | None
) -> SidTokenAssignmentResponse:
    ref = await users.resolve(user)
    return await client.assign_hardware_token(ref.id, serial, token_name=name or None)


async def unassign_hardware_token(
    client: AsyncAdminClient, users: UserDirectory, user: str, serial: str
) -> SidTokenUnassignmentResponse:
    ref = await users.resolve(user)
    return await client.unassign_hardware_token(ref.id, serial)


async def show_hardware_token(
    client: AsyncAdminClient, users: UserDirectory, user: str | None, serial: str
) -> SidTokenDetailsResponse:
    """The token's details; with `user`, only if it is assigned to that user."""
    details = await client.lookup_hardware_token(serial)
    if user:
        ref = await users.resolve(user)
        if details.userId != ref.id:
            holder = details.assignedUserEmail or details.userId or "nobody (a spare token)"
            raise NotTheUsers(
                f"hardware token {serial} is assigned to {holder}, not to {ref.email or ref.id}"
            )
    return details


async def delete_hardware_token(
    client: AsyncAdminClient, users: UserDirectory, user: str | None, serial: str
) -> SidTokenDetailsResponse:
    """Delete the token; with `user`, only if it is assigned to that user (checked first)."""
    if user:
        try:
            await show_hardware_token(client, users, user, serial)
        except NotTheUsers as refused:
            raise NotTheUsers(f"{refused}: not deleted") from None
    return await client.delete_hardware_token(serial)


async def ds100_credentials(
    client: AsyncAdminClient, ref: UserRef, device: str, credential: str | None
) -> list[str]:
    """The OTP credential named, or every credential of the user's device (from a lookup)."""
    if credential:
        return [credential]
    found = await client.lookup_ds100(device)
    holders = {c.userId for c in found}
    if holders - {ref.id}:
        holder = next((c.assignedUserEmail or c.userId for c in found), None) or "nobody"
        raise NotTheUsers(
            f"DS100 device {device} is registered to {holder}, not to {ref.email or ref.id}"
        )
    return [c.tokenSerialNumber for c in found]
