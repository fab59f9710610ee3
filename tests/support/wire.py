"""Assertions on the contract's bodies."""

from __future__ import annotations

import re
from typing import Any

import httpx

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
AUTH_MESSAGE = "Server failed to process provided access token"


def assert_error(response: httpx.Response, status: int, reason: str, description: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"code": f"{status} {reason}", "description": description}


def assert_auth_failure(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"timestamp", "status", "error", "message", "path"}
    assert isinstance(body["timestamp"], int) and body["timestamp"] > 1_600_000_000_000
    assert body["status"] == 403
    assert body["error"] == "Forbidden"
    assert body["message"] == AUTH_MESSAGE
    assert body["path"] == response.request.url.path


def assert_too_many(response: httpx.Response) -> None:
    assert_error(response, 429, "TOO_MANY_REQUESTS", "Too many requests.")
    assert int(response.headers["retry-after"]) >= 1
