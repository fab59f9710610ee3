"""What a SCIM provisioning client may say about a user, as mfadesk keeps it.

A SCIM source's user is the core User resource narrowed to what mfadesk stores: `userName` (the
principal username), `name.givenName` / `name.familyName`, one e-mail address (the user's), the
`active` flag (Enabled / Disabled) and the client's `externalId` (the primary unique identifier).
The SCIM wire format lives in `api/scim/`; the rules on these values live here.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from enum import StrEnum

from mfadesk.domain.errors import BadRequest, Conflict, DomainError
from mfadesk.domain.users import (
    MAX_NAME_LENGTH,
    MAX_USERNAME_LENGTH,
    User,
    UserStatus,
    check_email,
)

MAX_EXTERNAL_ID_LENGTH = 255
SCIM_TOKEN_PREFIX = "mfscim"
SCIM_TOKEN_BYTES = 32  # 256 bits of randomness in every bearer token
TOKEN_HASH_KEY = "tokenSha256"  # where a SCIM source's `config` keeps the token's hash
MAX_PAGE_SIZE = 200  # `count` above this is lowered to it (RFC 7644 §3.4.2.4 allows it)


class ScimType(StrEnum):
    """The `scimType` of an error reply (RFC 7644 §3.12)."""

    INVALID_VALUE = "invalidValue"
    UNIQUENESS = "uniqueness"
    INVALID_FILTER = "invalidFilter"
    INVALID_SYNTAX = "invalidSyntax"
    MUTABILITY = "mutability"
    INVALID_PATH = "invalidPath"
    NO_TARGET = "noTarget"
    TOO_MANY = "tooMany"


class ScimBadRequest(BadRequest):
    """A 400 with the `scimType` the SCIM reply names."""

    def __init__(self, description: str, scim_type: ScimType = ScimType.INVALID_VALUE) -> None:
        super().__init__(description)
        self.scim_type = scim_type


class ScimConflict(Conflict):
    """A value that must be unique is taken (409, scimType `uniqueness`)."""

    scim_type = ScimType.UNIQUENESS


class ScimUnauthorized(DomainError):
    """A missing, unknown or revoked SCIM bearer token."""

    status = 401
    reason = "UNAUTHORIZED"

    def __init__(self, description: str = "A valid SCIM bearer token is required") -> None:
        super().__init__(description)


@dataclass(frozen=True, slots=True)
class ScimUserFields:
    """The values a SCIM client controls. Empty names mean "none"."""

    user_name: str
    email: str
    given_name: str = ""
    family_name: str = ""
    active: bool = True
    external_id: str | None = None

    def checked(self) -> ScimUserFields:
        """The values normalised, or a 400 (`invalidValue`) naming the first bad one."""
        user_name = self.user_name.strip()
        if not user_name or len(user_name) > MAX_USERNAME_LENGTH or not user_name.isprintable():
            raise ScimBadRequest(
                f"userName must be 1 to {MAX_USERNAME_LENGTH} printable characters"
            )
        try:
            email = check_email(self.email)
        except BadRequest as error:
            raise ScimBadRequest(error.description) from None
        for label, value in (("givenName", self.given_name), ("familyName", self.family_name)):
            if len(value) > MAX_NAME_LENGTH:
                raise ScimBadRequest(f"name.{label} is at most {MAX_NAME_LENGTH} characters")
        external_id = self.external_id
        if external_id is not None and not (0 < len(external_id) <= MAX_EXTERNAL_ID_LENGTH):
            raise ScimBadRequest(f"externalId is 1 to {MAX_EXTERNAL_ID_LENGTH} characters")
        return replace(self, user_name=user_name, email=email, external_id=external_id)

    @classmethod
    def of(cls, user: User) -> ScimUserFields:
        return cls(
            user_name=user.principal_username or user.email,
            email=user.email,
            given_name=user.first_name,
            family_name=user.last_name,
            active=user.status is UserStatus.ENABLED,
            external_id=user.primary_unique_identifier,
        )

    @property
    def status(self) -> UserStatus:
        return UserStatus.ENABLED if self.active else UserStatus.DISABLED


def token_hash(token: str) -> str:
    """SHA-256 of a bearer token: its 256 random bits make a salt or a slow hash pointless."""
    return hashlib.sha256(token.encode()).hexdigest()


def make_token(source_id: str, secret: bytes) -> str:
    """`mfscim.<source id>.<secret>`: the source id finds the hash to compare with."""
    return f"{SCIM_TOKEN_PREFIX}.{source_id}.{secret.hex()}"


def source_id_of(token: str) -> str | None:
    """The source a token names, or None for something that is not a SCIM token."""
    prefix, _, rest = token.partition(".")
    source_id, _, secret = rest.partition(".")
    if prefix != SCIM_TOKEN_PREFIX or not source_id or not secret or len(source_id) > 36:
        return None
    return source_id


def token_matches(token: str, stored_hash: object) -> bool:
    """Constant-time comparison with the stored hash (none stored: revoked)."""
    if not isinstance(stored_hash, str):
        return False
    return hmac.compare_digest(token_hash(token), stored_hash)


@dataclass(frozen=True, slots=True)
class ScimUserQuery:
    """What a `GET /Users?filter=…` may ask for: equalities, all of which must hold."""

    user_id: str | None = None
    user_name: str | None = None  # any case
    external_id: str | None = None  # exact
    email: str | None = None  # any case
    active: bool | None = None

    @property
    def matches_nothing(self) -> bool:
        """A filter on a value no user can have (a malformed id)."""
        return self.user_id is not None and len(self.user_id) > 36


SCIM_BASE_PATH = "/scim/v2"


def scim_base_url(public_url: str) -> str:
    """Where a deployment's SCIM service provider answers."""
    return public_url.rstrip("/") + SCIM_BASE_PATH
