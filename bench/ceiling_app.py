"""The ceiling: a bare ASGI app doing only the work an admin request cannot avoid.

- token flips (``PATCH …/sidTokens/disable|enable``): RS256 signature check of the JWT, parse the
  JSON body, one SQLite ``UPDATE`` in its own transaction, a small JSON reply;
- ``PUT …/emergencyTokencode``: RS256 check, a random code, the same scrypt offline hash as the
  server (on a thread pool as large as the machine, as the server does), one ``INSERT``.

No framework, no routing table, no audit, no authorisation, no validation. The database work runs
directly on the event loop thread (no executor hop): this is the fastest these requests can be
served by uvicorn on this machine, and `admin_api.py` serves it exactly as it serves mfadesk.

Configured by the environment: ``BENCH_KEY_FILE`` (an admin key file: its public half checks the
JWT), ``BENCH_CEILING_DB`` (SQLite file), ``BENCH_TOKENS`` (``serial=userId,…``: the tokens it
knows), ``MFADESK_OFFLINE_HASH_COST`` (log2 of scrypt's N).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_private_key

_KEY = json.loads(open(os.environ["BENCH_KEY_FILE"]).read())  # noqa: SIM115
_PUBLIC_KEY = load_pem_private_key(_KEY["accessKey"].encode(), None).public_key()
_COST = int(os.environ.get("MFADESK_OFFLINE_HASH_COST", "14"))
_HASHING = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
_DECODE_OPTIONS: Any = {"verify_aud": False, "require": ["sub", "aud", "iat", "exp"]}
_JSON_HEADERS = [(b"content-type", b"application/json")]


def _open_db(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS tokens (serial TEXT PRIMARY KEY, user_id TEXT, status TEXT,"
        " changed_at TEXT, changed_by TEXT)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS codes (id TEXT PRIMARY KEY, user_id TEXT, verifier TEXT,"
        " created_at TEXT)"
    )
    for pair in filter(None, os.environ.get("BENCH_TOKENS", "").split(",")):
        serial, user_id = pair.split("=")
        db.execute(
            "INSERT OR IGNORE INTO tokens VALUES (?, ?, 'Enabled', '', '')", (serial, user_id)
        )
    return db


_DB = _open_db(os.environ["BENCH_CEILING_DB"])


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _offline_hash(code: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        code.encode(), salt=salt, n=1 << _COST, r=8, p=1, maxmem=256 * 1024 * 1024, dklen=32
    )
    return f"scrypt${_COST}$8$1${salt.hex()}${digest.hex()}"


async def _flip(user_id: str, body: bytes, status: str, who: str) -> dict[str, str] | None:
    serial = json.loads(body)["tokenSerialNumber"]
    now = _now()
    # One statement in autocommit mode: its own write transaction.
    updated = _DB.execute(
        "UPDATE tokens SET status = ?, changed_at = ?, changed_by = ?"
        " WHERE serial = ? AND user_id = ?",
        (status, now, who, serial, user_id),
    ).rowcount
    if updated != 1:
        return None
    return {
        "userId": user_id,
        "tokenSerialNumber": serial,
        "tokenStatus": status,
        "tokenStatusChangedBy": who,
        "tokenStatusChangedAt": now,
    }


async def _issue(user_id: str) -> dict[str, str]:
    code = "".join(secrets.choice("0123456789") for _ in range(8))
    verifier = await asyncio.get_running_loop().run_in_executor(_HASHING, _offline_hash, code)
    code_id = str(uuid.uuid4())
    now = _now()
    _DB.execute("INSERT INTO codes VALUES (?, ?, ?, ?)", (code_id, user_id, verifier, now))
    return {
        "emergencyTokencodeId": code_id,
        "emergencyTokencode": code,
        "expirationDate": now,
        "offlineExpirationDate": now,
    }


async def _reply(send: Any, status: int, payload: object) -> None:
    await send({"type": "http.response.start", "status": status, "headers": _JSON_HEADERS})
    await send({"type": "http.response.body", "body": json.dumps(payload).encode()})


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            _DB.close()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    authorization = dict(scope["headers"]).get(b"authorization", b"").decode()
    try:
        claims = jwt.decode(
            authorization.removeprefix("Bearer "),
            _PUBLIC_KEY,  # type: ignore[arg-type]
            algorithms=["RS256"],
            options=_DECODE_OPTIONS,
        )
    except jwt.PyJWTError:
        await _reply(send, 403, {"status": 403})
        return
    parts = scope["path"].split("/")  # /AdminInterface/restapi/v1/users/{id}/…
    method = scope["method"]
    if method == "PATCH" and parts[-2] == "sidTokens" and parts[-1] in ("disable", "enable"):
        status = "Disabled" if parts[-1] == "disable" else "Enabled"
        flipped = await _flip(parts[-3], body, status, claims["sub"])
        if flipped is None:
            await _reply(send, 404, {"status": 404})
        else:
            await _reply(send, 200, flipped)
    elif method == "PUT" and parts[-1] == "emergencyTokencode":
        await _reply(send, 200, await _issue(parts[-2]))
    else:
        await _reply(send, 404, {"status": 404})
