"""The authenticators a user holds: SID700 tokens and DS100 devices with their OTP credentials."""

from __future__ import annotations

from dataclasses import dataclass

from mfadesk.domain.admins import Permission
from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.ds100 import Ds100Device, OtpCredential
from mfadesk.domain.hardware_tokens import HardwareToken
from mfadesk.services.authorization import authorize
from mfadesk.services.context import Call
from mfadesk.services.lookups import require_user
from mfadesk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class DeviceWithCredentials:
    device: Ds100Device
    credentials: list[OtpCredential]


@dataclass(frozen=True, slots=True)
class UserDevices:
    user_id: str
    hardware_tokens: list[HardwareToken]
    ds100_devices: list[DeviceWithCredentials]


def list_user_devices(uow: UnitOfWork, call: Call, user_id: str) -> UserDevices:
    target = Target(TargetType.USER, user_id[:64], user_id[:320])
    actor = authorize(uow, call, Permission.READ_USERS, Action.LIST_USER_DEVICES, target)
    user = require_user(uow, actor, user_id)
    credentials: dict[str, list[OtpCredential]] = {}
    for credential in uow.ds100.credentials_of_user(actor.company_id, user.id):
        credentials.setdefault(credential.device_serial, []).append(credential)
    return UserDevices(
        user_id=user.id,
        hardware_tokens=uow.hardware_tokens.assigned_to(actor.company_id, user.id),
        ds100_devices=[
            DeviceWithCredentials(device, credentials.get(device.serial, []))
            for device in uow.ds100.devices_of(actor.company_id, user.id)
        ],
    )
