"""The server's master secret, kept in a file outside the database, and the keys derived from it."""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_MASTER_BYTES = 32


class SecretKeyError(Exception):
    """The key file cannot be used."""


class MissingSecretKey(SecretKeyError):
    """There is no key file where one was expected."""


def _derive(master: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        master
    )


@dataclass(frozen=True, slots=True)
class ServerKeys:
    emergency_hmac: bytes
    seed_encryption: bytes
    offline_ticket: bytes
    # Names the master key in the database (hex); derived one-way, like the keys above, so it
    # tells nothing about them.
    fingerprint: str
    pin_hmac: bytes
    radius_secrets: bytes  # encrypts RADIUS clients' shared secrets at rest
    source_secrets: bytes  # identity sources' sealed settings (otp.source_secrets)

    @classmethod
    def from_master(cls, master: bytes) -> ServerKeys:
        return cls(
            emergency_hmac=_derive(master, "mfadesk emergency tokencode hmac v1"),
            seed_encryption=_derive(master, "mfadesk token seed encryption v1"),
            offline_ticket=_derive(master, "mfadesk offline data ticket v1"),
            fingerprint=_derive(master, "mfadesk master key fingerprint v1").hex(),
            pin_hmac=_derive(master, "mfadesk pin hmac v1"),
            radius_secrets=_derive(master, "mfadesk radius client secret encryption v1"),
            source_secrets=_derive(master, "mfadesk identity source secrets v1"),
        )


def _create_master_key(path: Path) -> None:
    """A new key file (mode 0600, parent folders 0700); a concurrent creator's key wins."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Write aside, then link into place: a concurrent reader never sees a half-written file.
        scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(_MASTER_BYTES)) + b"\n")
        try:
            os.link(scratch, path)
        except FileExistsError:
            pass  # another process won the race: use its key
        finally:
            scratch.unlink()


def _read_master_key(path: Path) -> bytes:
    if not path.exists():
        raise MissingSecretKey(f"secret key file {path} does not exist")
    try:
        master = base64.b64decode(path.read_bytes().strip(), validate=True)
    except (OSError, ValueError) as error:
        raise SecretKeyError(f"cannot read secret key file {path}: {error}") from error
    if len(master) != _MASTER_BYTES:
        raise SecretKeyError(f"secret key file {path} does not hold a {_MASTER_BYTES}-byte key")
    return master


def load_server_keys(path: Path) -> ServerKeys:
    """The keys of an existing key file (`MissingSecretKey` if there is none)."""
    return ServerKeys.from_master(_read_master_key(path))


def load_or_create_server_keys(path: Path) -> ServerKeys:
    """The keys of the key file, created first if missing: only for a new database."""
    _create_master_key(path)
    return load_server_keys(path)
