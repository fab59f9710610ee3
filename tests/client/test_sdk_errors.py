"""Answers the server under test cannot give for today's endpoints (a gateway's 502, a role's
403, a 500), fed through an httpx MockTransport: how the SDK maps each to its exception."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from mfadesk.client import (
    AdminClient,
    ApiError,
    AsyncAdminClient,
    AuthenticationFailed,
    Forbidden,
    RetryPolicy,
    ServerError,
    UnexpectedResponse,
)
from mfadesk.client.retry import parse_retry_after
from tests.support.keys import key_pair

USER = "2f6a3e0c-9a43-4d5b-8c8e-1d2f3a4b5c6d"
KEY_FILE = {
    "customerName": "Acme",
    "accessID": "0b6c7a7e-8b2d-4c55-9f0a-2d1e3c4b5a69",
    "accessKey": key_pair(0)[0],
    "adminRestApiUrl": "https://acme.example.test/AdminInterface/restapi/",
    "description": "",
}
TOKEN_STATUS = {
    "userId": USER,
    "tokenSerialNumber": "000100000001",
    "tokenStatus": "Disabled",
    "tokenStatusChangedBy": "helpdesk@example.com",
    "tokenStatusChangedAt": "2026-11-22T07:10:00.000Z",
}


def scripted(*answers: httpx.Response) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0)

    return httpx.MockTransport(handle), seen


def error(status: int, reason: str, description: str, **headers: str) -> httpx.Response:
    body = {"code": f"{status} {reason}", "description": description}
    return httpx.Response(status, json=body, headers=headers)


def client(*answers: httpx.Response, **options: Any) -> tuple[AdminClient, list[httpx.Request]]:
    transport, seen = scripted(*answers)
    return AdminClient.from_dict(KEY_FILE, transport=transport, **options), seen


def test_requests_go_under_the_key_files_url() -> None:
    api, seen = client(httpx.Response(200, json=TOKEN_STATUS))
    api.disable_hardware_token(USER, "000100000001")
    assert str(seen[0].url) == (
        f"https://acme.example.test/AdminInterface/restapi/v1/users/{USER}/sidTokens/disable"
    )
    assert json.loads(seen[0].content) == {"tokenSerialNumber": "000100000001"}
    assert seen[0].headers["Content-Type"] == "application/json"


def test_path_segments_are_percent_encoded() -> None:
    api, seen = client(httpx.Response(200, json={}))
    api.disable_emergency_tokencode("a/b", "../x")
    assert seen[0].url.raw_path.endswith(b"/v1/users/a%2Fb/emergencyTokencode/..%2Fx")


def test_role_refusal_is_forbidden_not_authentication_failed() -> None:
    api, _ = client(error(403, "FORBIDDEN", "Not authorized to delete hardware tokens."))
    with pytest.raises(Forbidden) as refused:
        api.disable_hardware_token(USER, "1")
    assert type(refused.value) is Forbidden
    assert refused.value.description == "Not authorized to delete hardware tokens."


def test_filter_format_403_is_authentication_failed() -> None:
    body = {
        "timestamp": 1_790_000_000_000,
        "status": 403,
        "error": "Forbidden",
        "message": "Server failed to process provided access token",
        "path": "/AdminInterface/restapi/v1/users/lookup",
    }
    api, _ = client(httpx.Response(403, json=body))
    with pytest.raises(AuthenticationFailed) as refused:
        api.lookup_user("a@example.com")
    assert (refused.value.code, refused.value.description) == (
        "403 FORBIDDEN",
        "Server failed to process provided access token",
    )


def test_server_errors_with_and_without_the_contract_body() -> None:
    api, seen = client(
        error(500, "INTERNAL_SERVER_ERROR", "Internal server error."),
        httpx.Response(502, text="<html>bad gateway</html>"),
        retry=RetryPolicy(max_attempts=1),
    )
    with pytest.raises(ServerError) as internal:
        api.lookup_user("a@example.com")
    assert (internal.value.code, internal.value.description) == (
        "500 INTERNAL_SERVER_ERROR",
        "Internal server error.",
    )
    with pytest.raises(ServerError) as gateway:
        api.lookup_user("a@example.com")
    assert (gateway.value.status, gateway.value.code, gateway.value.description) == (
        502,
        "502 BAD_GATEWAY",
        "Bad Gateway",
    )
    assert len(seen) == 2  # a 500 is not retried


def test_gateway_errors_are_retried_only_when_idempotent() -> None:
    unavailable = error(503, "SERVICE_UNAVAILABLE", "Try later.", **{"Retry-After": "0"})
    api, seen = client(unavailable, httpx.Response(200, json=TOKEN_STATUS))
    assert api.disable_hardware_token(USER, "000100000001").tokenStatus == "Disabled"
    assert len(seen) == 2
    api, seen = client(unavailable)
    with pytest.raises(ServerError):
        api.enable_emergency_tokencode_v1(USER, 1)
    assert len(seen) == 1


def test_unknown_status_is_a_plain_api_error() -> None:
    api, _ = client(error(422, "UNPROCESSABLE_ENTITY", "Not like this."))
    with pytest.raises(ApiError) as refused:
        api.lookup_user("a@example.com")
    assert type(refused.value) is ApiError and refused.value.status == 422


def test_a_success_body_off_the_contract_is_unexpected_response() -> None:
    api, _ = client(httpx.Response(200, json={"tokenStatus": "Sideways"}))
    with pytest.raises(UnexpectedResponse) as odd:
        api.enable_hardware_token(USER, "1")
    assert odd.value.status == 200 and "Sideways" in odd.value.body


async def test_async_client_maps_the_same_way() -> None:
    async def handle(request: httpx.Request) -> httpx.Response:
        return error(409, "CONFLICT", "Hardware token 1 is not assigned to a user")

    async with AsyncAdminClient.from_dict(KEY_FILE, transport=httpx.MockTransport(handle)) as api:
        with pytest.raises(ApiError) as conflict:
            await api.enable_hardware_token(USER, "1")
    assert conflict.value.code == "409 CONFLICT"


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 11, 22, 7, 10, tzinfo=UTC)
    assert parse_retry_after("3", now.timestamp()) == 3
    later = format_datetime(now + timedelta(seconds=42), usegmt=True)
    assert parse_retry_after(later, now.timestamp()) == 42
    assert parse_retry_after("whenever", now.timestamp()) is None
    assert parse_retry_after(None, now.timestamp()) is None
