"""API keys of authentication agents (the ``client-key`` header). Only a hash is kept."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from mfadesk.domain.errors import BadRequest

KEY_BYTES = 32
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._@-]{0,127}")


@dataclass(frozen=True, slots=True)
class AuthnKey:
    id: str
    company_id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def validate_key_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise BadRequest(
            "an authentication key name is 1 to 128 letters, digits, blanks or ._@- "
            "and starts with a letter or digit"
        )
    return name


def new_client_key(random_bytes: bytes) -> str:
    """The key an agent sends: 256 random bits, URL-safe base64 without padding."""
    if len(random_bytes) != KEY_BYTES:
        raise ValueError(f"a client key needs {KEY_BYTES} random bytes")
    return base64.urlsafe_b64encode(random_bytes).decode().rstrip("=")


def hash_client_key(key: str) -> str:
    """SHA-256 is enough: the keys are random 256-bit values, not passwords."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
