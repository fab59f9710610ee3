"""Reading an LDAP directory or Active Directory with `ldap3`: every user entry (paged search,
RFC 2696), or one entry by its unique id or e-mail. Blocking network work: never in a
transaction, never on the event loop.

Every failure (the server down, a refused bind, a bad base DN, a timeout) is one
`DirectoryUnavailable` whose message names the source and the reason, never the password.
"""

from __future__ import annotations

import contextlib
import ssl
import uuid
from collections.abc import Generator
from dataclasses import dataclass

from ldap3 import (
    AUTO_BIND_NO_TLS,
    AUTO_BIND_TLS_BEFORE_BIND,
    NONE,
    SUBTREE,
    Connection,
    Server,
    Tls,
)
from ldap3.core.exceptions import (
    LDAPBindError,
    LDAPException,
    LDAPInvalidCredentialsResult,
    LDAPNoSuchObjectResult,
)
from ldap3.utils.conv import escape_filter_chars

from mfadesk.domain.identity_sources import IdentitySource
from mfadesk.domain.ldap_sources import (
    DirectoryEntry,
    DirectoryUnavailable,
    LdapSettings,
    directory_entry,
)

PAGE_SIZE = 500
CONNECT_TIMEOUT_SECONDS = 5
RECEIVE_TIMEOUT_SECONDS = 30


@dataclass(frozen=True, slots=True)
class DirectoryAccess:
    """What it takes to read a source's directory; the bind password only in memory."""

    source: IdentitySource
    settings: LdapSettings
    bind_password: str

    def __repr__(self) -> str:
        return f"DirectoryAccess({self.source.name!r}, {self.settings.url!r}, <password hidden>)"


@dataclass(slots=True)
class DirectoryRead:
    entries: list[DirectoryEntry]
    skipped: int  # entries without a unique id or a usable e-mail


def _connection(access: DirectoryAccess) -> Connection:
    settings = access.settings
    secure = settings.url.lower().startswith("ldaps://") or settings.start_tls
    tls = None
    if secure:
        tls = Tls(
            validate=ssl.CERT_REQUIRED,
            ca_certs_file=settings.ca_file,
            version=ssl.PROTOCOL_TLS_CLIENT,
        )
    server = Server(
        settings.url,
        use_ssl=settings.url.lower().startswith("ldaps://"),
        tls=tls,
        get_info=NONE,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
    )
    return Connection(
        server,
        user=settings.bind_dn,
        password=access.bind_password,
        auto_bind=AUTO_BIND_TLS_BEFORE_BIND if settings.start_tls else AUTO_BIND_NO_TLS,
        read_only=True,
        raise_exceptions=True,
        receive_timeout=RECEIVE_TIMEOUT_SECONDS,
    )


def _failure(access: DirectoryAccess, error: Exception) -> DirectoryUnavailable:
    if isinstance(error, LDAPInvalidCredentialsResult | LDAPBindError):
        reason = "the directory refused the bind: wrong bind DN or password"
    elif isinstance(error, LDAPNoSuchObjectResult):
        reason = f"the base DN {access.settings.base_dn!r} does not exist"
    else:
        reason = " ".join(str(error).split()) or type(error).__name__
    return DirectoryUnavailable(
        f"cannot read the directory of identity source {access.source.name!r} at "
        f"{access.settings.url}: {reason}"
    )


def _value(raw: dict[str, list[bytes]], attribute: str) -> bytes | None:
    wanted = attribute.lower()
    for name, values in raw.items():
        if name.lower() == wanted and values:
            return values[0]
    return None


def _text(raw: dict[str, list[bytes]], attribute: str) -> str | None:
    value = _value(raw, attribute)
    return None if value is None else value.decode("utf-8", "replace")


def _unique_id(raw: dict[str, list[bytes]], attribute: str) -> str | None:
    value = _value(raw, attribute)
    if value is None:
        return None
    if attribute.lower() == "objectguid" and len(value) == 16:
        return str(uuid.UUID(bytes_le=value))  # how Active Directory writes a GUID
    return value.decode("utf-8", "replace").strip().lower()


def _entry(access: DirectoryAccess, raw: dict[str, list[bytes]]) -> DirectoryEntry | None:
    names = access.settings.attributes
    control = _text(raw, "userAccountControl") if access.settings.active_directory else None
    try:
        account_control = int(control) if control is not None else None
    except ValueError:
        account_control = None
    return directory_entry(
        _unique_id(raw, names.unique_id),
        _text(raw, names.email),
        _text(raw, names.username),
        _text(raw, names.first_name),
        _text(raw, names.last_name),
        account_control,
        _text(raw, names.alternate_username) if names.alternate_username else None,
    )


def _search(
    access: DirectoryAccess, condition: str | None
) -> Generator[dict[str, list[bytes]], None, None]:
    settings = access.settings
    search_filter = settings.user_filter
    if condition is not None:
        search_filter = f"(&{search_filter}{condition})"
    connection = _connection(access)
    try:
        results = connection.extend.standard.paged_search(
            settings.base_dn,
            search_filter,
            SUBTREE,
            attributes=settings.requested_attributes,
            paged_size=PAGE_SIZE,
            generator=True,
        )
        for result in results:
            if result.get("type") == "searchResEntry":
                yield result["raw_attributes"]
    finally:
        connection.unbind()


def read_directory(access: DirectoryAccess) -> DirectoryRead:
    """Every user entry the source's filter selects."""
    read = DirectoryRead([], 0)
    try:
        for raw in _search(access, None):
            entry = _entry(access, raw)
            if entry is None:
                read.skipped += 1
            else:
                read.entries.append(entry)
    except LDAPException as error:
        raise _failure(access, error) from None
    return read


def _id_condition(attribute: str, unique_id: str) -> str:
    if attribute.lower() == "objectguid":
        try:
            raw = uuid.UUID(unique_id).bytes_le
        except ValueError:
            raw = unique_id.encode()
        escaped = "".join(f"\\{byte:02x}" for byte in raw)
        return f"({attribute}={escaped})"
    return f"({attribute}={escape_filter_chars(unique_id)})"


def read_entry(access: DirectoryAccess, unique_id: str) -> DirectoryEntry | None:
    """The entry with this unique id, if the filter still selects it."""
    condition = _id_condition(access.settings.attributes.unique_id, unique_id)
    return _first(access, condition)


def find_by_email(access: DirectoryAccess, email: str) -> DirectoryEntry | None:
    attribute = access.settings.attributes.email
    return _first(access, f"({attribute}={escape_filter_chars(email)})")


def _first(access: DirectoryAccess, condition: str) -> DirectoryEntry | None:
    try:
        with contextlib.closing(_search(access, condition)) as found:
            raw = next(found, None)
    except LDAPException as error:
        raise _failure(access, error) from None
    return None if raw is None else _entry(access, raw)
