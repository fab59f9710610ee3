"""Rules every admin endpoint obeys, checked over the declarations so new endpoints are covered."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from mfadesk.api.routes import ENDPOINTS
from mfadesk.domain.admins import Role
from mfadesk.services.provisioning import Operator, add_admin, ensure_company
from tests.conftest import Stack
from tests.support.keys import key_pair, mint
from tests.support.tenant import TOKEN_ALICE
from tests.support.wire import assert_auth_failure, assert_error

DECLARED = [pytest.param(e.method, e.full_path, id=f"{e.method} {e.path}") for e in ENDPOINTS]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


@pytest.mark.parametrize(("method", "path"), DECLARED)
def test_no_jwt_is_403_in_the_filter_format(stack: Stack, method: str, path: str) -> None:
    response = httpx.request(method, stack.server.base_url + concrete(path), json={})
    assert_auth_failure(response)


@pytest.mark.parametrize(("method", "path"), DECLARED)
def test_every_endpoint_answers_json(stack: Stack, method: str, path: str) -> None:
    with stack.client() as api:
        response = api.request(method, stack.server.base_url + concrete(path), json={})
    assert response.status_code < 500
    assert response.headers["content-type"] == "application/json"
    assert isinstance(response.json(), dict | list)


def test_another_companys_objects_do_not_exist(stack: Stack) -> None:
    """An admin of one tenant sees nothing of another tenant in the same database."""
    private, public = key_pair(5)
    with stack.db.unit_of_work() as uow:
        op = Operator.start(stack.env)
        globex = ensure_company(uow, op, "Globex")
        _, access_id = add_admin(
            uow, op, globex, "root@globex.example", Role.SUPER_ADMIN, public, ""
        )
    token = mint(private, access_id, stack.audience, stack.clock.timestamp())
    alice = stack.tenant.user("alice")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=stack.admin_base + "/", headers=headers) as api:
        lookup = api.post("v1/users/lookup", json={"email": "alice@acme.example"})
        disable = api.patch(
            f"v1/users/{alice}/sidTokens/disable", json={"tokenSerialNumber": TOKEN_ALICE}
        )
    assert_error(lookup, 404, "NOT_FOUND", "User alice@acme.example not found")
    assert_error(disable, 404, "NOT_FOUND", f"User {alice} not found")
