"""Bounds on a request: its head (431) and its body (413), on every route, answered in the
application's error format before the excess is read."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from mfadesk.api.limits import MAX_HEADER_BYTES, MAX_HEADER_FIELDS
from mfadesk.settings import DEFAULT_MAX_BODY_BYTES, Settings
from tests.conftest import Stack, StackFactory
from tests.support.authn import AUTHN, add_client_key
from tests.support.raw_http import exchange, request_head
from tests.support.wire import assert_error

LIMIT = 2048
LOOKUP = "/AdminInterface/restapi/v1/users/lookup"
STATUS = AUTHN + "/status"
TOO_LARGE = f"Request body too large: at most {LIMIT} bytes."
HEAD_TOO_LARGE = (
    f"Request header fields too large: at most {MAX_HEADER_FIELDS} fields"
    f" of {MAX_HEADER_BYTES} bytes in all."
)


@pytest.fixture
def limited(make_stack: StackFactory) -> Stack:
    return make_stack(max_body_bytes=LIMIT)


def credentials(stack: Stack, path: str) -> list[tuple[str, str]]:
    if path.startswith(AUTHN):
        return [("client-key", add_client_key(stack))]
    return [("Authorization", f"Bearer {stack.jwt()}")]


def padded(size: int) -> bytes:
    """A lookup body of exactly `size` bytes."""
    body = {"email": "alice@acme.example", "pad": ""}
    body["pad"] = "x" * (size - len(json.dumps(body)))
    raw = json.dumps(body).encode()
    assert len(raw) == size
    return raw


def test_the_default_limit_is_one_mebibyte_and_configurable() -> None:
    assert Settings().max_body_bytes == DEFAULT_MAX_BODY_BYTES == 1024 * 1024
    assert Settings.from_env({}).max_body_bytes == DEFAULT_MAX_BODY_BYTES
    assert Settings.from_env({"MFADESK_MAX_BODY_BYTES": "4096"}).max_body_bytes == 4096


def test_a_body_of_exactly_the_limit_is_read(limited: Stack) -> None:
    url = limited.server.base_url + LOOKUP
    headers = dict(credentials(limited, LOOKUP))
    assert httpx.post(url, content=padded(LIMIT), headers=headers).status_code == 200
    refused = httpx.post(url, content=padded(LIMIT + 1), headers=headers)
    assert_error(refused, 413, "PAYLOAD_TOO_LARGE", TOO_LARGE)


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(
    limited: Stack,
) -> None:
    for path in (LOOKUP, STATUS, "/AdminInterface/restapi/v1/nothing"):
        headers = [*credentials(limited, path), ("Content-Length", "50000000")]
        head = request_head("POST", path, headers)
        response = exchange(limited.server.port, head + b'{"email": "alice@')  # and no more
        assert response.status == 413, path
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {"code": "413 PAYLOAD_TOO_LARGE", "description": TOO_LARGE}
        assert response.headers["connection"] == "close"


def test_a_chunked_body_is_refused_once_it_passes_the_limit(limited: Stack) -> None:
    chunk = b"[" * (LIMIT + 1)
    for path in (LOOKUP, STATUS):
        headers = [*credentials(limited, path), ("Transfer-Encoding", "chunked")]
        head = request_head("POST", path, headers)
        # One chunk over the limit, and the body never ends: the answer cannot wait for it.
        response = exchange(limited.server.port, head + b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        assert response.status == 413, path
        assert response.json() == {"code": "413 PAYLOAD_TOO_LARGE", "description": TOO_LARGE}
        assert response.headers["connection"] == "close"


def test_a_streamed_body_within_the_limit_is_read(limited: Stack) -> None:
    def pieces() -> Iterator[bytes]:
        raw = padded(LIMIT)
        yield from (raw[i : i + 100] for i in range(0, len(raw), 100))

    url = limited.server.base_url + LOOKUP
    response = httpx.post(url, content=pieces(), headers=dict(credentials(limited, LOOKUP)))
    assert response.status_code == 200


def test_a_head_over_its_bounds_is_431_on_every_route(stack: Stack) -> None:
    for path in (LOOKUP, STATUS, "/AdminInterface/restapi/openapi.json", "/elsewhere"):
        url = stack.server.base_url + path
        base = credentials(stack, path)
        many = [*base, *((f"x-extra-{i}", "1") for i in range(MAX_HEADER_FIELDS))]
        huge = [("Authorization", "Bearer " + "a" * MAX_HEADER_BYTES)]
        for headers in (many, huge):
            response = httpx.post(url, content=b"{}", headers=headers)
            assert_error(response, 431, "REQUEST_HEADER_FIELDS_TOO_LARGE", HEAD_TOO_LARGE)
            assert response.headers["connection"] == "close"
        # Within the bounds, the request goes on (to its own answer, whatever that is).
        within = [*base, *((f"x-extra-{i}", "1") for i in range(MAX_HEADER_FIELDS - 10))]
        assert httpx.post(url, content=b"{}", headers=within).status_code != 431, path


def test_a_405_names_the_allowed_methods(stack: Stack) -> None:
    response = httpx.get(stack.server.base_url + LOOKUP)
    assert_error(response, 405, "METHOD_NOT_ALLOWED", "GET is not supported here")
    assert response.headers["allow"] == "POST"
    export = httpx.post(stack.admin_base + "/v1/adminlog/exportlogs")
    assert export.status_code == 405
    assert export.headers["allow"] == "GET, HEAD"
    status = httpx.delete(stack.server.base_url + STATUS)
    assert (status.status_code, status.headers["allow"]) == (405, "POST")


SCIM_USERS = "/scim/v2/Users"
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def test_scim_paths_get_the_bounds_in_scim_s_error_format(limited: Stack) -> None:
    """RFC 7644 §3.12: a SCIM client reads `status` and `detail`, whatever refused it."""
    headers = [("Authorization", "Bearer not-checked-before-the-bounds")]
    head = request_head("POST", SCIM_USERS, [*headers, ("Content-Length", "50000000")])
    response = exchange(limited.server.port, head + b'{"userName": "al')
    assert response.status == 413
    assert response.headers["content-type"] == "application/scim+json"
    assert response.json() == {"schemas": [SCIM_ERROR], "status": "413", "detail": TOO_LARGE}
    assert response.headers["connection"] == "close"

    many = [*headers, *((f"x-extra-{i}", "1") for i in range(MAX_HEADER_FIELDS))]
    refused = httpx.post(limited.server.base_url + SCIM_USERS, content=b"{}", headers=many)
    assert refused.status_code == 431
    assert refused.headers["content-type"] == "application/scim+json"
    assert refused.json() == {"schemas": [SCIM_ERROR], "status": "431", "detail": HEAD_TOO_LARGE}
