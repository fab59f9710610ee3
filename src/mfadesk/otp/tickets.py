"""Short-lived tickets the server hands out and later takes back, signed with a server key.

``v1.<payload>.<mac>``: the payload is compact JSON (URL-safe base64), the MAC an HMAC-SHA256
over version and payload. No storage: a ticket is valid until its ``exp`` (UNIX seconds).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

_VERSION = "v1"
MAX_TICKET_LENGTH = 1024


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: str) -> bytes:
    return hmac.new(key, f"{_VERSION}.{payload}".encode(), hashlib.sha256).digest()


def seal(key: bytes, claims: dict[str, str], expires_at: datetime) -> str:
    body = {**claims, "exp": int(expires_at.timestamp())}
    payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    return f"{_VERSION}.{payload}.{_b64(_mac(key, payload))}"


def unseal(key: bytes, ticket: str, now: datetime) -> dict[str, str] | None:
    """The claims of a genuine, unexpired ticket; None for anything else."""
    if len(ticket) > MAX_TICKET_LENGTH:
        return None
    try:
        version, payload, mac = ticket.split(".")
        if version != _VERSION or not hmac.compare_digest(_unb64(mac), _mac(key, payload)):
            return None
        body: Any = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):
        return None
    expires = body.get("exp") if isinstance(body, dict) else None
    if not isinstance(expires, int) or now.timestamp() >= expires:
        return None
    return {k: v for k, v in body.items() if k != "exp" and isinstance(v, str)}
