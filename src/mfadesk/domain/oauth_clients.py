"""OAuth 2.0 API clients: an administrator actor with a role and scopes, authenticated by a
``private_key_jwt`` assertion, holding opaque access tokens of which only a hash is kept."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from mfadesk.domain.admins import Admin, Role
from mfadesk.domain.errors import BadRequest

ACCESS_TOKEN_BYTES = 32
ACCESS_TOKEN_LIFETIME_SECONDS = 3600
MAX_ASSERTION_LIFETIME_SECONDS = 3600
ASSERTION_SKEW_SECONDS = 60
MAX_JTI_LENGTH = 255
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._@-]{0,127}")


class Scope:
    """The scopes of the contract (names from the cloud service's documentation)."""

    USER_READ = "rsa.user.read"
    USER_MANAGE = "rsa.user.manage"
    USER_SYNC = "rsa.user.sync"
    USER_DELETE_SOFT = "rsa.user.delete.soft"
    USER_DELETE = "rsa.user.delete"
    GROUP_USERS_MANAGE = "rsa.group.users.manage"
    EMERGENCY_MANAGE = "rsa.authenticator.emergency.manage"
    SIDTOKEN_READ = "rsa.authenticator.sidtoken.read"
    SIDTOKEN_MANAGE = "rsa.authenticator.sidtoken.manage"
    SIDTOKEN_DELETE = "rsa.authenticator.sidtoken.delete"
    DS100_READ = "rsa.authenticator.ds100.read"
    DS100_MANAGE = "rsa.authenticator.ds100.manage"
    DS100_DELETE = "rsa.authenticator.ds100.delete"
    AUDIT_ADMIN = "rsa.audit.admin"
    AUDIT_USER = "rsa.audit.user"


KNOWN_SCOPES: tuple[str, ...] = tuple(
    value for name, value in vars(Scope).items() if name.isupper() and isinstance(value, str)
)


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """A registered client. The public key is a JWK (JSON text); the private half never
    reaches us."""

    id: str  # the client_id (a UUID)
    company_id: str
    name: str
    role: Role
    scopes: frozenset[str]
    public_jwk: str
    key_id: str | None
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def as_admin(self) -> Admin:
        """The actor of the client's calls: audit rows and `…ChangedBy` fields name the client
        by its name."""
        return Admin(id=self.id, company_id=self.company_id, email=self.name, role=self.role)


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An issued access token, by the SHA-256 of its value."""

    token_hash: str
    client_id: str
    scopes: frozenset[str]
    expires_at: datetime

    def usable(self, now: datetime) -> bool:
        return now < self.expires_at


def validate_client_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise BadRequest(
            "an OAuth client name is 1 to 128 letters, digits, blanks or ._@- "
            "and starts with a letter or digit"
        )
    return name


def parse_scopes(text: str, *, allowed: frozenset[str] | None = None) -> frozenset[str]:
    """Space-separated scope names (RFC 6749 §3.3), each known (and in `allowed`, if given)."""
    scopes = frozenset(text.split())
    unknown = sorted(scopes - set(KNOWN_SCOPES))
    if unknown:
        raise BadRequest(f"unknown scope(s): {' '.join(unknown)}")
    if allowed is not None and not scopes <= allowed:
        raise BadRequest(f"scope(s) not registered: {' '.join(sorted(scopes - allowed))}")
    return scopes


def format_scopes(scopes: frozenset[str]) -> str:
    """In the contract's order, so that a scope string reads the same every time."""
    return " ".join(scope for scope in KNOWN_SCOPES if scope in scopes)


def new_access_token(random_bytes: bytes) -> str:
    """256 random bits, URL-safe base64 without padding: never contains a '.', unlike a JWT."""
    if len(random_bytes) != ACCESS_TOKEN_BYTES:
        raise ValueError(f"an access token needs {ACCESS_TOKEN_BYTES} random bytes")
    return base64.urlsafe_b64encode(random_bytes).decode().rstrip("=")


def hash_access_token(token: str) -> str:
    """SHA-256 is enough: the tokens are random 256-bit values, not passwords."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_access_token(bearer: str) -> bool:
    """Opaque access tokens have no '.'; a JWT (the legacy API key's) has two."""
    return "." not in bearer


class OAuthRefusal(Exception):
    """A token request refused as RFC 6749 §5.2 says: `error` is the registered code
    (``invalid_client`` answers 401, every other 400); `description` goes on the wire."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description

    @property
    def status(self) -> int:
        return 401 if self.error == "invalid_client" else 400
