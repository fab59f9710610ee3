"""Emergency tokencodes: generation, the keyed online hash and the slow offline verifier.

The code itself is never stored. Online checks compare an HMAC under a server key that lives
outside the database; offline agents get a salted scrypt verifier they can check without us.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

DEFAULT_OFFLINE_COST_LOG2 = 14  # scrypt N = 2**14, r = 8: 16 MiB and ~40 ms per check here
_SCRYPT_R = 8
_SCRYPT_P = 1
_SALT_BYTES = 16
_HASH_BYTES = 32


class RandomBytes(Protocol):
    def token_bytes(self, n: int) -> bytes: ...


def generate_code(random: RandomBytes, length: int, alphabet: str) -> str:
    """A uniformly random code (rejection sampling: no modulo bias)."""
    size = len(alphabet)
    limit = 256 - (256 % size)
    chars: list[str] = []
    while len(chars) < length:
        for byte in random.token_bytes(length * 2):
            if byte < limit:
                chars.append(alphabet[byte % size])
                if len(chars) == length:
                    break
    return "".join(chars)


def normalize_code(code: str) -> str:
    """What the user types: ignore case, blanks and hyphens."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def online_hash(key: bytes, user_id: str, code: str) -> bytes:
    return hmac.new(key, f"{user_id}\x00{normalize_code(code)}".encode(), hashlib.sha256).digest()


def online_matches(key: bytes, user_id: str, code: str, stored: bytes) -> bool:
    return hmac.compare_digest(online_hash(key, user_id, code), stored)


def _scrypt(code: str, salt: bytes, cost_log2: int) -> bytes:
    return hashlib.scrypt(
        normalize_code(code).encode(),
        salt=salt,
        n=1 << cost_log2,
        r=_SCRYPT_R,
        p=_SCRYPT_P,
        maxmem=256 * 1024 * 1024,
        dklen=_HASH_BYTES,
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_offline_verifier(
    code: str, random: RandomBytes, cost_log2: int = DEFAULT_OFFLINE_COST_LOG2
) -> str:
    """``scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`` — self-describing, so costs can change later."""
    salt = random.token_bytes(_SALT_BYTES)
    digest = _scrypt(code, salt, cost_log2)
    return f"scrypt${cost_log2}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def offline_verifier_matches(verifier: str, code: str) -> bool:
    try:
        scheme, cost, r, p, salt, digest = verifier.split("$")
        if scheme != "scrypt" or int(r) != _SCRYPT_R or int(p) != _SCRYPT_P:
            return False
        candidate = _scrypt(code, _unb64(salt), int(cost))
        return hmac.compare_digest(candidate, _unb64(digest))
    except (ValueError, TypeError):
        return False


@dataclass(frozen=True, slots=True)
class OfflineBundle:
    """What an offline agent caches for one user: never the code, only a slow salted hash."""

    user_id: str
    emergency_tokencode_id: str
    verifier: str
    offline_expires_at: datetime


def verify_offline(bundle: OfflineBundle, code: str, now: datetime) -> bool:
    """The check an offline agent runs: the right code, before the offline expiry."""
    if now >= bundle.offline_expires_at:
        return False
    return offline_verifier_matches(bundle.verifier, code)
