"""The SDK's user methods against the real server, sync and async: search (v1, v2, every
page), status, mark deleted, sync, devices."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mfadesk.client import BadRequest, Conflict, Forbidden, MethodNotAllowed, NotFound
from mfadesk.domain.audit import Action, Result
from mfadesk.wire.user_devices import UserDevicesResponse
from mfadesk.wire.users import MarkDeletedResponse, UserSearchResponse, UserStatusResponse
from tests.conftest import Stack
from tests.support.sdk import add_users_with_tokens, assert_api_error, collect
from tests.support.sources import add_scim_user
from tests.support.tenant import CREDENTIAL_DAVE, DEVICE_DAVE, TOKEN_ALICE

TENANT = [f"{name}@acme.example" for name in ("alice", "bob", "carol", "dave")]


@pytest.mark.parametrize("method", ["search_users_v1", "search_users_v2"])
async def test_search_one_page(stack: Stack, api: Any, method: str) -> None:
    search = getattr(api, method)
    everyone = await search("ACME.example")
    assert isinstance(everyone, UserSearchResponse)
    assert (everyone.totalPages, everyone.totalElements) == (1, 4)
    assert [u.emailAddress for u in everyone.elements] == TENANT
    assert everyone.elements[0] == await api.lookup_user("alice@acme.example")

    second = await search("acme", page_size=3, page_number=1)
    assert (second.totalPages, second.totalElements) == (2, 4)
    assert [u.emailAddress for u in second.elements] == ["dave@acme.example"]
    past_the_end = await search("acme", page_size=3, page_number=5)
    assert (past_the_end.totalElements, past_the_end.elements) == (4, [])
    assert (await search("nobody")).model_dump() == {
        "totalPages": 0,
        "totalElements": 0,
        "elements": [],
    }
    with pytest.raises(BadRequest) as too_big:
        await search("acme", page_size=26)
    assert_api_error(
        too_big.value, 400, "BAD_REQUEST", "pageSize must be a whole number from 1 to 25"
    )


async def test_iter_users_walks_every_page(stack: Stack, api: Any) -> None:
    small_pages = await collect(api.iter_users("acme", page_size=1))
    assert [u.emailAddress for u in small_pages] == TENANT
    fleet = add_users_with_tokens(stack, 30, prefix="walker")
    walked = await collect(api.iter_users("walker"))
    assert [u.emailAddress for u in walked] == [u.email for u in fleet]  # 25 + 5, in order
    assert [u.id for u in walked] == [u.id for u in fleet]
    assert await collect(api.iter_users("nobody")) == []
    everyone = await collect(api.iter_users())
    assert len(everyone) == 34 and len({u.id for u in everyone}) == 34


async def test_iter_users_does_not_repeat_a_user_when_users_are_added(
    stack: Stack, api: Any
) -> None:
    pages = api.iter_users("acme", page_size=2)
    first = [await anext(pages), await anext(pages)]  # page 0: alice, bob
    add_users_with_tokens(stack, 1, prefix="aaa-")  # sorts first: shifts bob onto page 1
    rest = await collect(pages)
    emails = [u.emailAddress for u in first + rest]
    assert emails == TENANT  # bob not twice (the newcomer joined a page already walked)


async def test_iter_users_errors_surface_when_the_page_is_fetched(api: Any) -> None:
    with pytest.raises(BadRequest):
        await collect(api.iter_users("acme", page_size=0))


async def test_user_status(stack: Stack, connect: Any) -> None:
    api, helpdesk = connect(stack), connect(stack, "helpdesk")
    alice = stack.tenant.user("alice")
    disabled = await api.set_user_status(alice, "Disabled")
    assert isinstance(disabled, UserStatusResponse)
    assert disabled.model_dump() == {"id": alice, "userStatus": "Disabled"}
    assert (await api.set_user_status(alice, "Disabled")).userStatus == "Disabled"  # a repeat
    assert (await api.lookup_user("alice@acme.example")).userStatus == "Disabled"
    assert (await api.set_user_status(alice, "Enabled")).userStatus == "Enabled"

    with pytest.raises(Forbidden) as refused:
        await helpdesk.set_user_status(alice, "Disabled")
    assert_api_error(
        refused.value,
        403,
        "FORBIDDEN",
        "The Help Desk Admin role is not allowed to change user status.",
    )
    nobody = str(uuid.uuid4())
    with pytest.raises(NotFound) as missing:
        await api.set_user_status(nobody, "Enabled")
    assert_api_error(missing.value, 404, "NOT_FOUND", f"User {nobody} not found")
    with pytest.raises(BadRequest) as odd:
        await api.set_user_status(alice, "Sleeping")
    assert_api_error(odd.value, 400, "BAD_REQUEST", "userStatus must be Enabled or Disabled")
    denied = [e.event.result for e in stack.audit_events() if e.event.action == Action.DISABLE_USER]
    assert denied == [Result.SUCCESS, Result.SUCCESS, Result.DENIED]


async def test_mark_deleted_and_back(stack: Stack, connect: Any) -> None:
    api, helpdesk = connect(stack), connect(stack, "helpdesk")
    carol, alice = stack.tenant.user("carol"), stack.tenant.user("alice")  # carol is disabled
    marked = await api.mark_user_deleted(carol)
    assert isinstance(marked, MarkDeletedResponse)
    assert marked.model_dump() == {"id": carol, "markDeleted": True}
    details = await api.lookup_user("carol@acme.example")
    assert details.markDeleted and details.markDeletedBy == "super@acme.example"
    with pytest.raises(Conflict) as again:
        await api.mark_user_deleted(carol)
    assert_api_error(again.value, 409, "CONFLICT", f"User {carol} is already marked deleted")
    with pytest.raises(Conflict) as enabling:
        await api.set_user_status(carol, "Enabled")
    assert_api_error(
        enabling.value,
        409,
        "CONFLICT",
        f"User {carol} is marked deleted: undelete the user before enabling",
    )
    assert (await api.mark_user_deleted(carol, False)).markDeleted is False

    with pytest.raises(Conflict) as enabled_user:
        await api.mark_user_deleted(alice)
    assert_api_error(
        enabled_user.value, 409, "CONFLICT", f"User {alice} is enabled: disable the user first"
    )
    with pytest.raises(Forbidden) as refused:
        await helpdesk.mark_user_deleted(carol)
    assert refused.value.description == (
        "The Help Desk Admin role is not allowed to mark users deleted."
    )
    with pytest.raises(NotFound):
        await api.mark_user_deleted(str(uuid.uuid4()))


async def test_delete_user(stack: Stack, connect: Any) -> None:
    api, helpdesk = connect(stack), connect(stack, "helpdesk")
    carol, alice = stack.tenant.user("carol"), stack.tenant.user("alice")  # carol is disabled
    with pytest.raises(Forbidden) as refused:
        await helpdesk.delete_user(carol)
    assert_api_error(
        refused.value, 403, "FORBIDDEN", "The Help Desk Admin role is not allowed to delete users."
    )
    with pytest.raises(Conflict):
        await api.delete_user(alice)
    erin = add_scim_user(stack)
    with pytest.raises(MethodNotAllowed) as scim:
        await api.delete_user(erin)
    assert (scim.value.status, scim.value.code) == (405, "405 METHOD_NOT_ALLOWED")
    assert await api.delete_user(carol) is None
    with pytest.raises(NotFound):
        await api.delete_user(carol)
    with pytest.raises(NotFound):
        await api.lookup_user("carol@acme.example")


async def test_sync_answers_the_user(stack: Stack, connect: Any) -> None:
    helpdesk = connect(stack, "helpdesk")
    bob = stack.tenant.user("bob")
    synced = await helpdesk.sync_user(bob)
    assert synced == await helpdesk.lookup_user("bob@acme.example")
    nobody = str(uuid.uuid4())
    with pytest.raises(NotFound) as missing:
        await helpdesk.sync_user(nobody)
    assert_api_error(missing.value, 404, "NOT_FOUND", f"User {nobody} not found")


async def test_devices(stack: Stack, api: Any) -> None:
    alice, dave = stack.tenant.user("alice"), stack.tenant.user("dave")
    alices = await api.list_user_devices(alice)
    assert isinstance(alices, UserDevicesResponse)
    assert [t.tokenSerialNumber for t in alices.sidTokens] == [TOKEN_ALICE]
    assert (alices.devices, alices.fidoTokens) == ([], [])
    daves = await api.list_user_devices(dave, include_browsers=True)
    assert [d.deviceSerialNumber for d in daves.devices] == [DEVICE_DAVE]
    assert [c.tokenSerialNumber for c in daves.devices[0].otpCredentials] == [CREDENTIAL_DAVE]
    assert daves == await api.list_user_devices(dave, include_browsers=False)
    nobody = str(uuid.uuid4())
    with pytest.raises(NotFound) as missing:
        await api.list_user_devices(nobody)
    assert_api_error(missing.value, 404, "NOT_FOUND", f"User {nobody} not found")
