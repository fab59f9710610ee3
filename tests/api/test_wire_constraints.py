"""The document's constraints are the server's: boundary values per field, judged by the
schema and sent to the server, get the same verdict (valid: never a 400; invalid: a 400)."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mfadesk.api.openapi import build_document
from mfadesk.domain.emergency_tokencodes import parse_expiry
from mfadesk.domain.errors import BadRequest
from mfadesk.wire.emergency_tokencodes import UNIT_MAXIMA
from tests.conftest import Stack

DOCUMENT = build_document()
V1 = "v1/users/{user}/emergencyTokencode"
V2 = "v2/users/{user}/emergencyTokencode"
MARK = "v1/users/{user}/markDeleted"
STATUS = "v1/users/{user}/userStatus"
LOOKUP = "v1/users/lookup"
ASSIGN = "v1/users/{user}/sidTokens/assign"

# (path, body, valid by the document)
CASES: list[tuple[str, Any, bool]] = [
    (V1, {"expirationDays": 1}, True),
    (V1, {"expirationDays": "7"}, True),
    (V1, {"expirationDays": 0}, False),
    (V1, {"expirationDays": 8}, False),
    (V1, {"expirationDays": "0"}, False),
    (V1, {"expirationDays": ""}, False),
    (V1, {}, False),
    (V2, {}, True),
    (V2, {"oneTimeUse": "false"}, True),
    (V2, {"oneTimeUse": ""}, False),
    (V2, {"expiryUnit": "days", "expiryValue": 7}, True),
    (V2, {"expiryUnit": "days", "expiryValue": 8}, False),
    (V2, {"expiryUnit": "hours", "expiryValue": 168}, True),
    (V2, {"expiryUnit": "hours", "expiryValue": 169}, False),
    (V2, {"expiryUnit": "minutes", "expiryValue": 1}, True),
    (V2, {"expiryUnit": "minutes", "expiryValue": 10080}, True),
    (V2, {"expiryUnit": "minutes", "expiryValue": 0}, False),
    (V2, {"expiryUnit": "minutes", "expiryValue": ""}, False),
    (V2, {"expiryUnit": "weeks", "expiryValue": 1}, False),
    (V2, {"expiryUnit": "days"}, False),
    (V2, {"expiryValue": 3}, False),
    (MARK, {"markDeleted": "true"}, True),
    (MARK, {"markDeleted": ""}, False),
    (MARK, {"markDeleted": 1}, False),
    (STATUS, {"userStatus": "Disabled"}, True),
    (STATUS, {"userStatus": "Gone"}, False),
    (LOOKUP, {"email": "a\u0000b@acme.example"}, False),  # PostgreSQL cannot hold a NUL
    (LOOKUP, {"email": "x" * 320}, True),
    (LOOKUP, {"email": "x" * 321}, False),
    (ASSIGN, {"tokenSerialNumber": "000200000003", "tokenName": "n\u0000"}, False),
    (ASSIGN, {"tokenSerialNumber": "000200000003", "tokenName": "n" * 255}, True),
]


METHODS = {V1: "PUT", V2: "PUT", MARK: "PUT", STATUS: "PUT", LOOKUP: "POST", ASSIGN: "PATCH"}


def body_validator(path: str) -> Draft202012Validator:
    item = DOCUMENT["paths"]["/AdminInterface/restapi/" + path.replace("{user}", "{userId}")]
    operation = item[METHODS[path].lower()]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": DOCUMENT["components"]})


def test_boundary_values_get_the_documents_verdict(stack: Stack) -> None:
    user = stack.tenant.user("bob")
    wrong = []
    with stack.client() as api:
        for path, body, valid in CASES:
            assert body_validator(path).is_valid(body) is valid, (path, body)
            response = api.request(METHODS[path], path.format(user=user), json=body)
            if (response.status_code == 400) is valid or response.status_code >= 500:
                wrong.append(f"{path} {body!r}: {response.status_code} {response.text}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("unit", "maximum"), UNIT_MAXIMA.items())
def test_the_documented_maxima_are_the_domains(unit: str, maximum: int) -> None:
    assert parse_expiry(unit, maximum) is not None
    with pytest.raises(BadRequest):
        parse_expiry(unit, maximum + 1)


def test_export_windows_get_the_documents_verdict(stack: Stack) -> None:
    export = "v1/adminlog/exportlogs"
    parameter = next(
        p
        for p in DOCUMENT["paths"]["/AdminInterface/restapi/" + export]["get"]["parameters"]
        if p["name"] == "startTimeAfter"
    )
    pattern = Draft202012Validator(parameter["schema"])
    with stack.client() as api:
        for start, end in (
            ("0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"),
            ("1970-01-01T00:00:00-01:00", "2099-12-31t23:59:59.123456789z"),
        ):
            assert pattern.is_valid(start) and pattern.is_valid(end)
            response = api.get(export, params={"startTimeAfter": start, "endTimeOnOrBefore": end})
            assert response.status_code == 200, response.text
        for bad in (
            "0000-01-01T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "0001-01-01T00:00:00.000+01:00",  # before any UTC time
            "9999-12-31T23:59:59.999-01:00",  # after any UTC time
        ):
            assert not pattern.is_valid(bad), bad
            response = api.get(export, params={"startTimeAfter": bad, "endTimeOnOrBefore": bad})
            assert response.status_code == 400, bad
