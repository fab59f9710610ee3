"""The shortcuts of `api/scim/fast_paths.py` give what the scim2-models path gives."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from scim2_models import Context, ListResponse, PatchOp

from mfadesk.api.scim.fast_paths import listing, representation, simple_patch
from mfadesk.api.scim.models import ScimUser, ScimUserRequest
from mfadesk.api.scim.users import UserEndpoints, _patched, _validated
from mfadesk.domain.scim import ScimUserFields
from mfadesk.domain.users import User, UserStatus
from tests.support.scim import patch

BASE = "https://mfadesk.example.test/scim/v2"
CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SYNCED = datetime(2026, 2, 3, 4, 5, 6, 789, tzinfo=UTC)
USERS = [
    User("u1", "c", "ann@acme.example", "Ann", "Lee", UserStatus.ENABLED, created_at=CREATED),
    User(
        "u2",
        "c",
        "bo@acme.example",
        "",
        "Bo",
        UserStatus.DISABLED,
        created_at=CREATED,
        principal_username="Bo.B",
        primary_unique_identifier="ext-2",
        last_sync_time=SYNCED,
    ),
    User("u3", "c", "cy@acme.example", "Cy", "", UserStatus.ENABLED, created_at=CREATED),
]


@pytest.mark.parametrize("user", USERS, ids=lambda u: u.id)
def test_the_representation_is_the_models_dump(user: User) -> None:
    endpoints = UserEndpoints.__new__(UserEndpoints)
    endpoints._base_url = BASE
    dumped = endpoints.resource(user).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    assert representation(user, BASE) == dumped
    assert list(representation(user, BASE)) == list(dumped)


SIMPLE = [
    patch({"op": "Replace", "path": "active", "value": "False"}),
    patch({"op": "replace", "path": "active", "value": True}),
    patch({"op": "Add", "path": "name.givenName", "value": "Gus"}),
    patch(
        {
            "op": "replace",
            "path": "urn:ietf:params:scim:schemas:core:2.0:User:userName",
            "value": "g",
        }
    ),
    patch(
        {
            "op": "Replace",
            "value": {"externalId": "e-9", "name.familyName": "Fox", "active": "true"},
        }
    ),
    patch(
        {"op": "replace", "path": "userName", "value": "one"},
        {"op": "replace", "path": "userName", "value": "two"},
    ),
]
NOT_SIMPLE = [
    patch({"op": "remove", "path": "externalId"}),
    patch({"op": "replace", "path": 'emails[type eq "work"].value', "value": "x@y.z"}),
    patch({"op": "replace", "path": "active", "value": "maybe"}),
    patch({"op": "replace", "path": "name", "value": {"givenName": "x"}}),
    patch({"op": "replace", "path": "displayName", "value": "x"}),
    {"Operations": [{"op": "replace", "path": "active", "value": False}]},
]


@pytest.mark.parametrize("payload", SIMPLE)
def test_a_simple_patch_does_what_the_library_does(payload: dict[str, Any]) -> None:
    before = ScimUserFields.of(USERS[1])
    change = simple_patch(payload)
    assert change is not None
    library = _patched(
        _validated(PatchOp[ScimUserRequest], payload, Context.RESOURCE_PATCH_REQUEST)
    )
    assert change(before) == library(before)


@pytest.mark.parametrize("payload", NOT_SIMPLE)
def test_other_patches_are_left_to_the_library(payload: dict[str, Any]) -> None:
    assert simple_patch(payload) is None


@pytest.mark.parametrize("page", [[], USERS], ids=["empty", "three"])
def test_a_listing_is_the_models_dump(page: list[User]) -> None:
    endpoints = UserEndpoints.__new__(UserEndpoints)
    endpoints._base_url = BASE
    found = ListResponse[ScimUser](
        total_results=7,
        start_index=2,
        items_per_page=len(page),
        resources=[endpoints.resource(user) for user in page],
    )
    dumped = found.model_dump(scim_ctx=Context.SEARCH_RESPONSE)
    assert listing(page, 7, 2, BASE) == dumped
