"""Users of identity sources the test tenant does not have (SCIM, until it is built)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from mfadesk.domain.identity_sources import IdentitySource, SourceKind
from mfadesk.domain.users import User, UserStatus

if TYPE_CHECKING:
    from tests.conftest import Stack


def add_scim_user(stack: Stack, email: str = "erin@acme.example") -> str:
    """A disabled user of the SCIM source "Entra ID" (made on first use), as provisioned."""
    with stack.db.unit_of_work() as uow:
        company, now = stack.tenant.company_id, stack.clock()
        source = uow.sources.by_name(company, "Entra ID")
        if source is None:
            source = IdentitySource(str(uuid.uuid4()), company, "Entra ID", SourceKind.SCIM, now)
            uow.sources.add(source)
        user = User(
            str(uuid.uuid4()),
            company,
            email,
            "Erin",
            "E",
            UserStatus.DISABLED,
            created_at=now,
            source_id=source.id,
            principal_username=email.split("@", maxsplit=1)[0],
            primary_unique_identifier=str(uuid.uuid4()),
            last_sync_time=now,
        )
        uow.users.add(user)
    return user.id
