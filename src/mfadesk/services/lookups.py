"""Finding the objects a request names, with the contract's 404s."""

from __future__ import annotations

from mfadesk.domain.admins import Admin
from mfadesk.domain.errors import NotFound
from mfadesk.domain.hardware_tokens import HardwareToken
from mfadesk.domain.users import User
from mfadesk.store.unit_of_work import UnitOfWork


def require_user(uow: UnitOfWork, actor: Admin, user_id: str, *, for_update: bool = False) -> User:
    user = uow.users.get(actor.company_id, user_id, for_update=for_update)
    if user is None:
        raise NotFound(f"User {user_id} not found")
    return user


def require_hardware_token(
    uow: UnitOfWork, actor: Admin, serial: str, *, for_update: bool = False
) -> HardwareToken:
    token = uow.hardware_tokens.get(actor.company_id, serial, for_update=for_update)
    if token is None:
        raise NotFound(f"Hardware token {serial} not found")
    return token
