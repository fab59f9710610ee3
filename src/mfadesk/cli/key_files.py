"""Administrator key files: generated here, the private half written only to the file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mfadesk.wire.key_file import KeyFile

KEY_BITS = 2048


@dataclass(frozen=True, slots=True)
class KeyPair:
    private_pem: str  # PKCS#1, "BEGIN RSA PRIVATE KEY", as the real console's key files
    public_pem: str


def generate_key_pair() -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return KeyPair(private_pem, public_pem)


def staged_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def stage_key_file(path: Path, key_file: KeyFile) -> Path:
    """Write the key file beside its final place (whose folder must exist), mode 0600 from
    the first byte."""
    staged = staged_path(path)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(key_file.model_dump(), indent=2) + "\n")
    return staged


def read_key_file(path: Path) -> KeyFile | None:
    try:
        return KeyFile.model_validate_json(path.read_bytes())
    except (OSError, ValueError):
        return None
