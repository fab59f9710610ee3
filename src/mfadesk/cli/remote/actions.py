"""The remote operations behind `mfadesk api …` and `mfadesk api bulk`, over the async SDK.

A user is named by e-mail or by id: an id (a UUID) is used as is, an e-mail is looked up
(`UserDirectory` looks each one up once per run).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from mfadesk.client import (
    AsyncAdminClient,
    Ds100CredentialStatus,
    EnableEmergencyTokencodeV1Response,
    SidTokenStatusResponse,
    UserDetailsResponse,
)

_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class NeedsEmail(ValueError):
    """The operation needs a lookup, which only works by e-mail."""


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


async def enable_emergency_tokencode(
    client: AsyncAdminClient, users: UserDirectory, user: str, days: int
) -> tuple[UserRef, EnableEmergencyTokencodeV1Response]:
    ref = await users.resolve(user)
    return ref, await client.enable_emergency_tokencode_v1(ref.id, days)


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
