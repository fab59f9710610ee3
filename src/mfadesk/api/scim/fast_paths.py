"""Shortcuts for the requests provisioning clients send most, with the same results as the
scim2-models path they stand in for (tests/scim/test_fast_paths.py compares them): validating a
PATCH and applying it through the library costs over a millisecond of CPU, most of the price of
a request.

- a user's representation, and a page of them, when no `attributes` / `excludedAttributes`
  narrow it;
- a PATCH whose operations all `add` or `replace` single-valued strings and booleans
  (`active`, `userName`, `externalId`, `name.givenName`, `name.familyName`), with a path or as a
  value object, as Entra ID sends them. Anything else (a filter in the path, `emails`, `remove`,
  a value of another type) goes through the library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pydantic_core import to_jsonable_python

from mfadesk.api.scim.models import USER_SCHEMA, WORK
from mfadesk.domain.scim import ScimUserFields
from mfadesk.domain.users import User

PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
_PREFIX = USER_SCHEMA.lower() + ":"
_FIELDS = {
    "active": "active",
    "username": "user_name",
    "externalid": "external_id",
    "name.givenname": "given_name",
    "name.familyname": "family_name",
}
_BOOLEANS = {"true": True, "false": False}


def representation(user: User, base_url: str) -> dict[str, Any]:
    """What `ScimUser.model_dump(scim_ctx=RESOURCE_QUERY_RESPONSE)` gives for the user."""
    fields = ScimUserFields.of(user)
    body: dict[str, Any] = {"schemas": [USER_SCHEMA], "id": user.id}
    if fields.external_id is not None:
        body["externalId"] = fields.external_id
    meta: dict[str, Any] = {"resourceType": "User"}
    if user.created_at is not None:
        meta["created"] = to_jsonable_python(user.created_at)
    modified = user.last_sync_time or user.created_at
    if modified is not None:
        meta["lastModified"] = to_jsonable_python(modified)
    meta["location"] = f"{base_url}/Users/{user.id}"
    body["meta"] = meta
    body["userName"] = fields.user_name
    name = {}
    if fields.family_name:
        name["familyName"] = fields.family_name
    if fields.given_name:
        name["givenName"] = fields.given_name
    if name:
        body["name"] = name
    body["emails"] = [{"value": fields.email, "type": WORK}]
    body["active"] = fields.active
    return body


def listing(users: list[User], total: int, start_index: int, base_url: str) -> dict[str, Any]:
    """What `ListResponse[ScimUser].model_dump(scim_ctx=SEARCH_RESPONSE)` gives for a page."""
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(users),
        "Resources": [representation(user, base_url) for user in users],
    }


def _setting(path: str, value: Any) -> tuple[str, Any] | None:
    key = path.lower()
    if key.startswith(_PREFIX):
        key = key[len(_PREFIX) :]
    name = _FIELDS.get(key)
    if name is None:
        return None
    if name == "active":
        if isinstance(value, str):
            value = _BOOLEANS.get(value.strip().lower())
        return (name, value) if isinstance(value, bool) else None
    if not isinstance(value, str) or not value:
        return None
    return name, value


def simple_patch(payload: dict[str, Any]) -> Callable[[ScimUserFields], ScimUserFields] | None:
    """The change a simple PATCH makes, or None to leave the request to scim2-models."""
    operations = payload.get("Operations")
    if payload.get("schemas") != [PATCH_SCHEMA] or set(payload) != {"schemas", "Operations"}:
        return None
    if not isinstance(operations, list) or not operations:
        return None
    settings: list[tuple[str, Any]] = []
    for operation in operations:
        if not isinstance(operation, dict) or not set(operation) <= {"op", "path", "value"}:
            return None
        op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
        if not isinstance(op, str) or op.lower() not in ("add", "replace"):
            return None
        pairs = [(path, value)] if path is not None else None
        if pairs is None and isinstance(value, dict) and value:
            pairs = list(value.items())
        if pairs is None:
            return None
        for attribute, given in pairs:
            setting = _setting(attribute, given) if isinstance(attribute, str) else None
            if setting is None:
                return None
            settings.append(setting)

    def change(before: ScimUserFields) -> ScimUserFields:
        return replace(before, **dict(settings))

    return change
