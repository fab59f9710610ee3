"""OAuth client keys as JWKs: generated here, the private half written only to its file.

The private JWK file also names its client (``client_id``) and the ``issuer``, members a JWK
may carry (RFC 7517 §4: unknown members are ignored), so that one file is all a client needs:
`AdminClient.from_oauth_client`, ``mfadesk api --oauth-client`` and the PyPI ``pydplus``
client (``oauth_private_key``) all read it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_THUMBPRINT_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n")}


def thumbprint(jwk: dict[str, Any]) -> str:
    """The RFC 7638 thumbprint (SHA-256, base64url): the ``kid`` of a generated key."""
    members = _THUMBPRINT_MEMBERS[str(jwk["kty"])]
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def generate_client_key() -> tuple[dict[str, Any], dict[str, Any]]:
    """A new EC P-256 (ES256) key pair as (private JWK, public JWK), both with ``kid``."""
    key = ec.generate_private_key(ec.SECP256R1())
    public: dict[str, Any] = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    private: dict[str, Any] = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key))
    kid = thumbprint(public)
    extra = {"kid": kid, "alg": "ES256", "use": "sig"}
    return {**private, **extra}, {**public, **extra}


def read_public_jwk(path: Path) -> dict[str, Any]:
    """A public JWK from a file; a private key is refused (mfadesk keeps only public keys)."""
    try:
        jwk = json.loads(path.read_bytes())
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror}") from None
    except ValueError:
        raise ValueError(f"{path} is not JSON") from None
    if not isinstance(jwk, dict) or "kty" not in jwk:
        raise ValueError(f"{path} is not a JWK (a JSON object with kty)")
    if _PRIVATE_MEMBERS & jwk.keys():
        raise ValueError(f"{path} holds a private key: give the public JWK only")
    return jwk


def write_private_jwk(path: Path, jwk: dict[str, Any], client_id: str, issuer: str) -> Path:
    """Stage the client's private JWK (with `client_id` and `issuer`) beside `path`, mode 0600
    from the first byte; the caller moves it into place once the client is registered."""
    staged = path.with_name(f".{path.name}.{os.getpid()}.partial")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        contents = {**jwk, "client_id": client_id, "issuer": issuer}
        handle.write(json.dumps(contents, indent=2) + "\n")
    return staged
