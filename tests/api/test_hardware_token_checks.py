"""The token flips look the user up only when the token does not already prove it: the order
of the 404s and 409s stays the documented one, and nothing changes on a refusal."""

from __future__ import annotations

import uuid

from mfadesk.domain.audit import Action, Result
from tests.conftest import Stack
from tests.support.tenant import TOKEN_BOB, TOKEN_SPARE
from tests.support.wire import assert_error

DISABLE = "v1/users/{}/sidTokens/disable"


def test_unknown_user_and_unknown_token_answer_the_users_404(stack: Stack) -> None:
    stranger = str(uuid.uuid4())
    with stack.client() as api:
        response = api.patch(DISABLE.format(stranger), json={"tokenSerialNumber": "999999999999"})
    assert_error(response, 404, "NOT_FOUND", f"User {stranger} not found")


def test_unknown_user_with_someone_elses_token_answers_the_users_404(stack: Stack) -> None:
    stranger = str(uuid.uuid4())
    with stack.client() as api:
        response = api.patch(DISABLE.format(stranger), json={"tokenSerialNumber": TOKEN_BOB})
    assert_error(response, 404, "NOT_FOUND", f"User {stranger} not found")


def test_refusals_change_nothing_and_are_audited(stack: Stack) -> None:
    alice, bob = stack.tenant.user("alice"), stack.tenant.user("bob")
    with stack.db.unit_of_work() as uow:
        before = uow.hardware_tokens.get(stack.tenant.company_id, TOKEN_SPARE)
    with stack.client() as api:
        refused = api.patch(DISABLE.format(alice), json={"tokenSerialNumber": TOKEN_SPARE})
        mine = api.patch(DISABLE.format(bob), json={"tokenSerialNumber": TOKEN_BOB})
    assert refused.status_code == 409 and mine.status_code == 200
    assert mine.json()["tokenStatus"] == "Disabled"
    with stack.db.unit_of_work() as uow:
        assert uow.hardware_tokens.get(stack.tenant.company_id, TOKEN_SPARE) == before
    flips = [
        (e.event.result, e.event.target.id)
        for e in stack.audit_events()
        if e.event.action is Action.DISABLE_HARDWARE_TOKEN
    ]
    assert flips == [(Result.FAILURE, TOKEN_SPARE), (Result.SUCCESS, TOKEN_BOB)]
