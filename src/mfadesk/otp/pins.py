"""SecurID PINs at rest: HMAC-SHA256 under a key derived from the master key file, over a random
per-credential salt, the credential's serial and the PIN.

Fast on purpose. What protects a 4-to-8-character PIN is the key, which lives outside the
database: a copy of the database without the key file lets nobody test a PIN candidate, however
much they compute; a slow hash would add nothing to that and would cost every verification. The
salt keeps two credentials with the same PIN from showing equal digests.
"""

from __future__ import annotations

import hashlib
import hmac

SALT_BYTES = 16
DIGEST_BYTES = 32
# Compared against when a credential has no PIN, so that checking costs the same either way.
_NO_SALT = bytes(SALT_BYTES)
_NO_DIGEST = bytes(DIGEST_BYTES)


def pin_digest(key: bytes, salt: bytes, serial: str, pin: str) -> bytes:
    message = b"%b%b\x00%b" % (salt, serial.encode(), pin.encode())
    return hmac.new(key, message, hashlib.sha256).digest()


def pin_matches(
    key: bytes, serial: str, candidate: str, salt: bytes | None, digest: bytes | None
) -> bool:
    """Whether ``candidate`` is the credential's PIN (never, when it has none). The same work
    either way: one HMAC and one constant-time comparison."""
    computed = pin_digest(key, salt or _NO_SALT, serial, candidate)
    return hmac.compare_digest(computed, digest or _NO_DIGEST) and digest is not None
