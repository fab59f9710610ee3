"""POST /v1/sidTokens/lookup."""

from __future__ import annotations

from datetime import date

import pytest

from mfadesk.domain.audit import Action, Result
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.hardware_tokens import HardwareToken, TokenStatus
from mfadesk.services.provisioning import Operator, add_hardware_token, ensure_company
from tests.conftest import Stack, StackFactory
from tests.support.authenticators import audit_mark, set_token_pin, steps_since
from tests.support.failing_random import SwitchableRandom
from tests.support.tenant import TOKEN_ALICE, TOKEN_SPARE
from tests.support.wire import assert_error

LOOKUP = "v1/sidTokens/lookup"


@pytest.mark.parametrize("admin", ["super", "helpdesk"])
def test_assigned_token_details(stack: Stack, admin: str) -> None:
    created = format_timestamp(stack.clock())
    with stack.client(admin) as api:
        response = api.post(LOOKUP, json={"tokenSerialNumber": TOKEN_ALICE})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "tokenSerialNumber": TOKEN_ALICE,
        "deviceType": "SID700",
        "tokenStatus": "Enabled",
        "userId": stack.tenant.user("alice"),
        "assignedUserEmail": "alice@acme.example",
        "name": TOKEN_ALICE,
        "assignedBy": "operator",
        "assignedAt": created,
        "registeredDate": created,
        "pinSet": False,
        "expiryDate": None,
        "tokenStatusChangedBy": "operator",
        "tokenStatusChangedAt": created,
    }


def test_spare_token_details(stack: Stack) -> None:
    with stack.client() as api:
        response = api.post(LOOKUP, json={"tokenSerialNumber": TOKEN_SPARE})
    assert response.status_code == 200
    assert response.json() == {
        "tokenSerialNumber": TOKEN_SPARE,
        "deviceType": "SID700",
        "tokenStatus": "Disabled",
        "userId": None,
        "assignedUserEmail": None,
        "name": None,
        "assignedBy": None,
        "assignedAt": None,
        "registeredDate": None,
        "pinSet": False,
        "expiryDate": None,
        "tokenStatusChangedBy": "operator",
        "tokenStatusChangedAt": format_timestamp(stack.clock()),
    }


def test_pin_and_expiry_date_are_shown(stack: Stack) -> None:
    set_token_pin(stack, TOKEN_ALICE)
    with stack.db.unit_of_work() as uow:
        uow.hardware_tokens.add(
            HardwareToken(
                serial="EXPIRING-1",
                company_id=stack.tenant.company_id,
                status=TokenStatus.DISABLED,
                user_id=None,
                name=None,
                status_changed_at=stack.clock(),
                status_changed_by="operator",
                expiry_date=date(2027, 2, 12),
            ),
            None,
        )
    with stack.client() as api:
        pinned = api.post(LOOKUP, json={"tokenSerialNumber": TOKEN_ALICE}).json()
        expiring = api.post(LOOKUP, json={"tokenSerialNumber": "EXPIRING-1"}).json()
    assert pinned["pinSet"] is True
    assert expiring["expiryDate"] == "2027-02-12T00:00:00.000Z"


def test_a_read_is_not_audited_but_an_unknown_serial_is(stack: Stack) -> None:
    mark = audit_mark(stack)
    with stack.client("helpdesk") as api:
        assert api.post(LOOKUP, json={"tokenSerialNumber": TOKEN_ALICE}).status_code == 200
        response = api.post(LOOKUP, json={"tokenSerialNumber": "999999999999"})
    assert_error(response, 404, "NOT_FOUND", "Hardware token 999999999999 not found")
    assert steps_since(stack, mark) == [
        (
            Action.LOOKUP_HARDWARE_TOKEN,
            "999999999999",
            "helpdesk@acme.example",
            Result.FAILURE,
            False,
        )
    ]


def test_tokens_of_another_company_are_not_found(stack: Stack) -> None:
    op = Operator.start(stack.env)
    with stack.db.unit_of_work() as uow:
        add_hardware_token(uow, op, ensure_company(uow, op, "Globex"), "GLOBEX-1")
    with stack.client() as api:
        response = api.post(LOOKUP, json={"tokenSerialNumber": "GLOBEX-1"})
    assert_error(response, 404, "NOT_FOUND", "Hardware token GLOBEX-1 not found")


@pytest.mark.parametrize(
    ("body", "description"),
    [
        (b"{not json", "Malformed JSON request body."),
        (b"[]", "Malformed JSON request body."),
        (b"{}", "tokenSerialNumber: Field required"),
        (b'{"tokenSerialNumber": false}', "tokenSerialNumber: Input should be a valid string"),
        (
            b'{"tokenSerialNumber": "' + b"1" * 37 + b'"}',
            "tokenSerialNumber: String should have at most 36 characters",
        ),
    ],
)
def test_bad_bodies_are_400(stack: Stack, body: bytes, description: str) -> None:
    with stack.client() as api:
        response = api.post(LOOKUP, content=body)
    assert_error(response, 400, "BAD_REQUEST", description)


def test_unexpected_failure_is_a_bare_500(make_stack: StackFactory) -> None:
    random = SwitchableRandom()
    stack = make_stack(random=random)
    random.failing = True  # the 404's audit record cannot be written
    with stack.client() as api:
        response = api.post(LOOKUP, json={"tokenSerialNumber": "999999999999"})
    assert_error(response, 500, "INTERNAL_SERVER_ERROR", "Internal server error")
