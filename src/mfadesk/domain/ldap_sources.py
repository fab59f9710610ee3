"""LDAP and Active Directory sources: their settings, a directory's user entries, and what a
synchronisation does with each entry (docs/identity-sources.md).

Users of a directory source are matched by the directory's unique id (`entryUUID`,
`objectGUID`). The directory is authoritative for what it holds: names, e-mail, user name and
whether the user is enabled (an entry disabled in Active Directory, or gone from the directory,
disables the user; it never deletes them). An e-mail that already belongs to a user of another
source, or to another entry of the same directory, is a conflict: reported, never merged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from mfadesk.domain.errors import BadRequest, DomainError
from mfadesk.domain.users import (
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_USERNAME_LENGTH,
    UserStatus,
    normalize_email,
)

DEFAULT_SYNC_INTERVAL_SECONDS = 15 * 60
MIN_SYNC_INTERVAL_SECONDS = 60
ACCOUNTDISABLE = 0x2  # userAccountControl's "account disabled" bit (Active Directory)
MAX_UNIQUE_ID_LENGTH = 255
_INTERVAL = re.compile(r"(\d+)\s*([smhd]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class DirectoryUnavailable(DomainError):
    """The directory could not be read (down, refused the bind, timed out): nothing changed."""

    status = 503
    reason = "SERVICE_UNAVAILABLE"


@dataclass(frozen=True, slots=True)
class AttributeMap:
    email: str
    username: str
    first_name: str
    last_name: str
    unique_id: str
    alternate_username: str | None = None  # Active Directory: userPrincipalName

    @classmethod
    def defaults(cls, active_directory: bool) -> AttributeMap:
        if active_directory:
            return cls(
                "mail", "sAMAccountName", "givenName", "sn", "objectGUID", "userPrincipalName"
            )
        return cls("mail", "uid", "givenName", "sn", "entryUUID")


PLAIN_USER_FILTER = "(objectClass=inetOrgPerson)"
AD_USER_FILTER = "(&(objectClass=user)(!(objectClass=computer)))"


@dataclass(frozen=True, slots=True)
class LdapSettings:
    """A directory source's plain settings (kept as the source's `config`; the bind password
    is sealed apart)."""

    url: str
    bind_dn: str
    base_dn: str
    user_filter: str
    attributes: AttributeMap
    active_directory: bool = False
    start_tls: bool = False
    ca_file: str | None = None
    sync_interval_seconds: int = DEFAULT_SYNC_INTERVAL_SECONDS

    def as_config(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LdapSettings:
        values = dict(config)
        values["attributes"] = AttributeMap(**values["attributes"])
        return cls(**values)

    @property
    def requested_attributes(self) -> list[str]:
        names = [name for name in asdict(self.attributes).values() if name]
        extra = ["userAccountControl"] if self.active_directory else []
        return sorted({*names, *extra})


def check_ldap_settings(settings: LdapSettings) -> LdapSettings:
    url = settings.url.strip()
    if not re.match(r"(?i)^ldaps?://[^/\s]+/?$", url):
        raise BadRequest(f"{settings.url!r} is not an ldap:// or ldaps:// URL")
    if settings.start_tls and url.lower().startswith("ldaps://"):
        raise BadRequest("--start-tls is for ldap:// URLs (ldaps:// is TLS already)")
    for name, value in (("bind DN", settings.bind_dn), ("base DN", settings.base_dn)):
        if not value.strip():
            raise BadRequest(f"the {name} must not be empty")
    flt = settings.user_filter.strip()
    if not (flt.startswith("(") and flt.endswith(")")):
        raise BadRequest(f"{settings.user_filter!r} is not an LDAP filter in parentheses")
    if settings.sync_interval_seconds < MIN_SYNC_INTERVAL_SECONDS:
        raise BadRequest(f"the sync interval is at least {MIN_SYNC_INTERVAL_SECONDS} seconds")
    for attribute in asdict(settings.attributes).values():
        if attribute is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", attribute):
            raise BadRequest(f"{attribute!r} is not an LDAP attribute name")
    return replace(settings, url=url, user_filter=flt)


def parse_interval(text: str) -> int:
    """`15m`, `1h`, `900` (seconds), `90s`, `1d` -> seconds."""
    match = _INTERVAL.fullmatch(text.strip().lower())
    if match is None:
        raise BadRequest(f"{text!r} is not an interval such as 15m, 1h or 900s")
    return int(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """A user entry as the directory holds it, mapped to mfadesk's fields."""

    unique_id: str
    email: str
    username: str | None
    first_name: str
    last_name: str
    disabled: bool
    alternate_username: str | None = None

    @property
    def status(self) -> UserStatus:
        return UserStatus.DISABLED if self.disabled else UserStatus.ENABLED


def directory_entry(
    unique_id: str | None,
    email: str | None,
    username: str | None,
    first_name: str | None,
    last_name: str | None,
    account_control: int | None,
    alternate_username: str | None = None,
) -> DirectoryEntry | None:
    """An entry mfadesk can hold, or None (no unique id or no usable e-mail: skipped)."""
    if not unique_id or len(unique_id) > MAX_UNIQUE_ID_LENGTH or not email:
        return None
    address = normalize_email(email)
    if "@" not in address or len(address) > MAX_EMAIL_LENGTH:
        return None
    name = (username or "").strip()[:MAX_USERNAME_LENGTH] or None
    return DirectoryEntry(
        unique_id=unique_id,
        email=address,
        username=None if name is not None and name.lower() == address else name,
        first_name=(first_name or "").strip()[:MAX_NAME_LENGTH],
        last_name=(last_name or "").strip()[:MAX_NAME_LENGTH],
        disabled=account_control is not None and bool(account_control & ACCOUNTDISABLE),
        alternate_username=(alternate_username or "").strip()[:MAX_USERNAME_LENGTH] or None,
    )


@dataclass(frozen=True, slots=True)
class SyncedUser:
    """A directory source's user as stored: what a sync compares an entry with."""

    id: str
    unique_id: str
    email: str
    first_name: str
    last_name: str
    username: str | None
    status: UserStatus
    mark_deleted: bool
    alternate_username: str | None = None

    def synced_to(self, entry: DirectoryEntry) -> SyncedUser:
        # A user pending deletion stays disabled, whatever the directory says.
        status = UserStatus.DISABLED if self.mark_deleted else entry.status
        return replace(
            self,
            email=entry.email,
            first_name=entry.first_name,
            last_name=entry.last_name,
            username=entry.username,
            alternate_username=entry.alternate_username,
            status=status,
        )


@dataclass(slots=True)
class SyncReport:
    """What one synchronisation did. `skipped`: entries without a unique id or e-mail."""

    created: int = 0
    updated: int = 0
    disabled: int = 0
    enabled: int = 0
    unchanged: int = 0
    conflicts: int = 0
    skipped: int = 0
    conflict_details: list[str] = field(default_factory=list)

    def add(self, other: SyncReport) -> None:
        for name in ("created", "updated", "disabled", "enabled", "unchanged", "conflicts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped += other.skipped
        self.conflict_details.extend(other.conflict_details)

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "disabled": self.disabled,
            "enabled": self.enabled,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "skipped": self.skipped,
        }

    def summary(self) -> str:
        return ", ".join(f"{count} {name}" for name, count in self.counts().items())

    def conflict(self, entry: DirectoryEntry, why: str) -> None:
        self.conflicts += 1
        if len(self.conflict_details) < 100:  # enough to act on; the count has them all
            self.conflict_details.append(f"{entry.email} ({entry.unique_id}): {why}")

    def count_change(self, before: SyncedUser, after: SyncedUser) -> None:
        """One of disabled / enabled / updated / unchanged, in that order of precedence."""
        if after.status is not before.status:
            if after.status is UserStatus.DISABLED:
                self.disabled += 1
            else:
                self.enabled += 1
        elif after != before:
            self.updated += 1
        else:
            self.unchanged += 1


@dataclass(frozen=True, slots=True)
class ChunkPlan:
    """What to write for one chunk of entries."""

    new: list[DirectoryEntry]
    changed: list[SyncedUser]
    seen: list[str]  # ids of the source's users the directory still holds (their sync time)
    report: SyncReport


def plan_chunk(
    entries: list[DirectoryEntry],
    by_unique_id: Mapping[str, SyncedUser],
    email_owners: Mapping[str, tuple[str, str]],
    source_id: str,
) -> ChunkPlan:
    """Decide each entry of a chunk. `by_unique_id`: the source's users of these entries;
    `email_owners`: e-mail -> (user id, source id) for the entries' e-mails."""
    report = SyncReport()
    new: list[DirectoryEntry] = []
    changed: list[SyncedUser] = []
    seen: list[str] = []
    claimed: dict[str, str] = {}  # e-mails this chunk gives, -> the entry's unique id
    for entry in entries:
        current = by_unique_id.get(entry.unique_id)
        owner = email_owners.get(entry.email)
        if claimed.setdefault(entry.email, entry.unique_id) != entry.unique_id:
            report.conflict(entry, "another entry of the directory has the same e-mail")
            if current is not None:
                seen.append(current.id)
            continue
        if current is None:
            if owner is not None:
                where = "another entry" if owner[1] == source_id else "another identity source"
                report.conflict(entry, f"the e-mail belongs to a user of {where}")
                continue
            new.append(entry)
            report.created += 1
            continue
        seen.append(current.id)
        if owner is not None and owner[0] != current.id:
            report.conflict(entry, "the new e-mail belongs to another user")
            continue
        after = current.synced_to(entry)
        report.count_change(current, after)
        if after != current:
            changed.append(after)
    return ChunkPlan(new, changed, seen, report)
