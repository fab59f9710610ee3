"""RSA keys and JWTs as a real client makes them."""

from __future__ import annotations

import functools
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@functools.cache
def key_pair(index: int) -> tuple[str, str]:
    """(private PKCS#1 PEM, public PEM); cached: RSA generation is slow."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def mint(
    private_pem: str,
    access_id: str,
    audience: Any,
    issued_at: float,
    lifetime: float = 300,
    *,
    algorithm: str = "RS256",
    drop: tuple[str, ...] = (),
    extra_headers: dict[str, Any] | None = None,
) -> str:
    claims: dict[str, Any] = {
        "sub": access_id,
        "aud": audience,
        "iat": issued_at,
        "exp": issued_at + lifetime,
        "jti": str(uuid.uuid4()),
    }
    for name in drop:
        claims.pop(name)
    key: Any = private_pem if algorithm[:2] in ("RS", "PS") else "shared-secret-of-32-bytes-length!"
    return jwt.encode(claims, key, algorithm=algorithm, headers=extra_headers)
