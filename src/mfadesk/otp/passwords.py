"""Administrators' console passwords at rest: Argon2id (memory-hard), via argon2-cffi.

Slow on purpose, unlike PINs: a password is the one secret here that is not paired with a key
held outside the database. Hashing and verifying run on the hashing pool, never in a
transaction or on the event loop.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
_HASHER = PasswordHasher()  # Argon2id with the library's (RFC 9106 low-memory) parameters
# Verified against when nobody has the e-mail or a password, so that a refusal costs the same.
_DECOY_HASH = _HASHER.hash("mfadesk decoy password, matched by nothing anybody types")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(password_hash: str | None, candidate: str) -> bool:
    try:
        _HASHER.verify(password_hash or _DECOY_HASH, candidate)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def password_problem(password: str) -> str | None:
    """Why a new password is refused, if it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"A console password needs at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"A console password has at most {MAX_PASSWORD_LENGTH} characters"
    return None
