"""Identity sources: where a company's users come from.

Every user belongs to exactly one source. `local` holds the users made by the command line (and
by CSV imports that name no source); `csv` sources are filled by CSV imports; `ldap` and `scim`
sources are kept by a directory synchronisation or a SCIM provisioning client, which manage
their users themselves (so, for instance, the admin API may not delete a SCIM source's user).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from mfadesk.domain.errors import BadRequest

LOCAL_SOURCE_NAME = "local"
MAX_SOURCE_NAME_LENGTH = 128


class SourceKind(StrEnum):
    LOCAL = "local"
    CSV = "csv"
    LDAP = "ldap"
    SCIM = "scim"

    @property
    def imports_csv(self) -> bool:
        """Whether `mfadesk user import` may write this source's users."""
        return self in (SourceKind.LOCAL, SourceKind.CSV)


@dataclass(frozen=True, slots=True)
class IdentitySource:
    """A source of users. `config` holds its plain settings (an LDAP URL, a base DN…);
    secrets (a bind password) are kept apart, encrypted, and never in this object."""

    id: str
    company_id: str
    name: str
    kind: SourceKind
    created_at: datetime
    config: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def local(cls, source_id: str, company_id: str, now: datetime) -> IdentitySource:
        return cls(source_id, company_id, LOCAL_SOURCE_NAME, SourceKind.LOCAL, now)

    @property
    def is_local(self) -> bool:
        return self.kind is SourceKind.LOCAL

    @property
    def managed_by_scim(self) -> bool:
        return self.kind is SourceKind.SCIM


def check_source_name(name: str) -> str:
    """A source name: 1 to 128 printable characters, no surrounding blanks."""
    stripped = name.strip()
    if not stripped or len(stripped) > MAX_SOURCE_NAME_LENGTH or not stripped.isprintable():
        raise BadRequest(
            f"an identity source name is 1 to {MAX_SOURCE_NAME_LENGTH} printable characters"
        )
    return stripped
