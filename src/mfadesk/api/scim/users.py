"""`/Users`: SCIM resources in and out; every rule is in `services.scim_users`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from scim2_models import (
    Context,
    ListResponse,
    Meta,
    PatchOp,
    ResponseParameters,
    SearchRequest,
)
from starlette.requests import Request
from starlette.responses import Response

from mfadesk.api.scim.fast_paths import listing, representation, simple_patch
from mfadesk.api.scim.filters import parse_filter
from mfadesk.api.scim.models import (
    TOLERANT,
    WORK,
    ScimEmail,
    ScimEmailRequest,
    ScimName,
    ScimUser,
    ScimUserRequest,
)
from mfadesk.api.scim.replies import scim_reply
from mfadesk.domain.scim import MAX_PAGE_SIZE, ScimBadRequest, ScimType, ScimUserFields
from mfadesk.domain.users import User
from mfadesk.services.scim_users import (
    ScimCall,
    create_scim_user,
    delete_scim_user,
    get_scim_user,
    list_scim_users,
    update_scim_user,
)

if TYPE_CHECKING:
    from mfadesk.api.state import AppState

T = TypeVar("T")
USER_RESPONSE = Context.RESOURCE_QUERY_RESPONSE


def _bad(detail: str, scim_type: ScimType = ScimType.INVALID_VALUE) -> ScimBadRequest:
    return ScimBadRequest(detail, scim_type)


def _chosen_email(emails: list[ScimEmailRequest] | None) -> str:
    """The user's address: the primary one, else the work one, else the first."""
    given = [e for e in emails or [] if e.value]
    primary = [e for e in given if e.primary is True]
    work = [e for e in given if (e.type or "").lower() == WORK]
    for candidates in (primary, work, given):
        if candidates:
            return str(candidates[0].value)
    raise _bad("emails must hold the user's e-mail address")


def fields_of(resource: ScimUserRequest, before: ScimUserFields | None) -> ScimUserFields:
    """What a User resource says, as mfadesk keeps it. `active` left out keeps the user's
    status (enabled for a new user)."""
    if not resource.user_name:
        raise _bad("userName is required")
    name = resource.name or ScimName()
    active = resource.active
    if active is None:
        active = before.active if before is not None else True
    return ScimUserFields(
        user_name=resource.user_name,
        email=_chosen_email(resource.emails),
        given_name=name.given_name or "",
        family_name=name.family_name or "",
        active=active,
        external_id=resource.external_id or None,
    )


def _as_request(fields: ScimUserFields) -> ScimUserRequest:
    """The user as a PATCH starts from."""
    name = None
    if fields.given_name or fields.family_name:
        name = ScimName(
            given_name=fields.given_name or None, family_name=fields.family_name or None
        )
    return ScimUserRequest(
        external_id=fields.external_id,
        user_name=fields.user_name,
        name=name,
        emails=[ScimEmailRequest(value=fields.email, type=WORK, primary=True)],
        active=fields.active,
    )


def _patched(patch: PatchOp[ScimUserRequest]) -> Callable[[ScimUserFields], ScimUserFields]:
    def change(before: ScimUserFields) -> ScimUserFields:
        resource = _as_request(before)
        patch.patch(resource, scim_policy=TOLERANT)
        if resource.active is None:
            raise _bad("active cannot be removed: disable the user", ScimType.MUTABILITY)
        return fields_of(resource, before)

    return change


def with_filtered_keys_as_paths(payload: dict[str, Any]) -> dict[str, Any]:
    """An operation without `path` whose value object has keys with a filter
    (`{"emails[type eq \"work\"].value": …}`, as Entra ID may send) becomes one operation per
    such key, with that key as its path: scim2-models reads plain attribute paths as value keys,
    not filtered ones."""
    operations = payload.get("Operations")
    if not isinstance(operations, list):
        return payload
    rewritten: list[Any] = []
    for operation in operations:
        value = operation.get("value") if isinstance(operation, dict) else None
        if not isinstance(value, dict) or operation.get("path") is not None:
            rewritten.append(operation)
            continue
        plain = {k: v for k, v in value.items() if "[" not in k}
        if plain or len(plain) == len(value):
            rewritten.append({**operation, "value": plain})
        rewritten.extend(
            {"op": operation.get("op"), "path": k, "value": v} for k, v in value.items() if "[" in k
        )
    return {**payload, "Operations": rewritten}


class UserEndpoints:
    def __init__(self, state: AppState, base_url: str) -> None:
        self._state = state
        self._base_url = base_url

    # -- representation

    def resource(self, user: User) -> ScimUser:
        fields = ScimUserFields.of(user)
        name = None
        if fields.given_name or fields.family_name:
            name = ScimName(
                given_name=fields.given_name or None, family_name=fields.family_name or None
            )
        return ScimUser(
            id=user.id,
            external_id=fields.external_id,
            meta=Meta(
                resource_type="User",
                created=user.created_at,
                last_modified=user.last_sync_time or user.created_at,
                location=f"{self._base_url}/Users/{user.id}",
            ),
            user_name=fields.user_name,
            name=name,
            emails=[ScimEmail(value=fields.email, type=WORK)],
            active=fields.active,
        )

    def _dump(self, user: User, parameters: ResponseParameters[ScimUser] | None) -> Any:
        if parameters is None:
            return representation(user, self._base_url)
        return self.resource(user).model_dump(
            scim_ctx=USER_RESPONSE, response_parameters=parameters
        )

    def _reply(self, user: User, request: Request, status: int = 200) -> Response:
        parameters = _response_parameters(request.query_params)
        headers = {"Location": f"{self._base_url}/Users/{user.id}"} if status == 201 else None
        return scim_reply(self._dump(user, parameters), status, headers)

    # -- running use cases

    def _call(self, request: Request) -> ScimCall:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else None
        source_ip = request.client.host if request.client else None
        return ScimCall.start(self._state.env, bearer, source_ip)

    async def _run(self, fn: Callable[..., T], *args: Any, readonly: bool = False) -> T:
        db = self._state.db

        def work() -> T:
            with db.unit_of_work(readonly=readonly) as uow:
                return fn(uow, *args)

        return await db.run(work)

    # -- endpoints

    async def create(self, request: Request) -> Response:
        resource = _validated(
            ScimUserRequest, await read_json(request), Context.RESOURCE_CREATION_REQUEST
        )
        fields = fields_of(resource, None)
        user = await self._run(create_scim_user, self._call(request), fields)
        return self._reply(user, request, 201)

    async def get(self, request: Request) -> Response:
        user_id = request.path_params["user_id"]
        user = await self._run(get_scim_user, self._call(request), user_id, readonly=True)
        return self._reply(user, request)

    async def replace(self, request: Request) -> Response:
        user_id = request.path_params["user_id"]
        payload = await read_json(request)
        resource = _validated(ScimUserRequest, payload, Context.RESOURCE_REPLACEMENT_REQUEST)

        def change(before: ScimUserFields) -> ScimUserFields:
            return fields_of(resource, before)

        user = await self._run(update_scim_user, self._call(request), user_id, change)
        return self._reply(user, request)

    async def patch(self, request: Request) -> Response:
        user_id = request.path_params["user_id"]
        payload = await read_json(request)
        change = simple_patch(payload)
        if change is None:
            payload = with_filtered_keys_as_paths(payload)
            patch = _validated(PatchOp[ScimUserRequest], payload, Context.RESOURCE_PATCH_REQUEST)
            change = _patched(patch)
        user = await self._run(update_scim_user, self._call(request), user_id, change)
        return self._reply(user, request)

    async def delete(self, request: Request) -> Response:
        user_id = request.path_params["user_id"]
        await self._run(delete_scim_user, self._call(request), user_id)
        return Response(status_code=204)

    async def list(self, request: Request) -> Response:
        query = request.query_params
        search = _validated(
            SearchRequest[ScimUser],
            {k: query[k] for k in _SEARCH_KEYS if k in query},
            Context.SEARCH_REQUEST,
        )
        return await self._search(request, search)

    async def search(self, request: Request) -> Response:
        payload = await read_json(request)
        search = _validated(SearchRequest[ScimUser], payload, Context.SEARCH_REQUEST)
        return await self._search(request, search)

    async def _search(self, request: Request, search: SearchRequest[ScimUser]) -> Response:
        if search.sort_by is not None:
            raise _bad("sorting is not supported", ScimType.INVALID_VALUE)
        criteria = parse_filter(str(search.filter) if search.filter is not None else None)
        start = max(1, search.start_index or 1)
        count = MAX_PAGE_SIZE if search.count is None else max(0, min(search.count, MAX_PAGE_SIZE))
        call = self._call(request)
        page = await self._run(list_scim_users, call, criteria, start, count, readonly=True)
        total = page.total
        if not search.attributes and not search.excluded_attributes:
            return scim_reply(listing(page.users, total, start, self._base_url))
        parameters = ResponseParameters[ScimUser](
            attributes=search.attributes, excluded_attributes=search.excluded_attributes
        )
        resources = [self.resource(user) for user in page.users]
        found = ListResponse[ScimUser](
            total_results=total,
            start_index=start,
            items_per_page=len(resources),
            resources=resources,
        )
        return scim_reply(
            found.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=parameters)
        )


_SEARCH_KEYS = ("filter", "startIndex", "count", "attributes", "excludedAttributes", "sortBy")


def _response_parameters(query: Any) -> ResponseParameters[ScimUser] | None:
    given = {k: query[k] for k in ("attributes", "excludedAttributes") if k in query}
    if not given:
        return None
    return _validated(ResponseParameters[ScimUser], given, Context.DEFAULT)


def _validated(model: type[T], payload: Any, context: Context) -> T:
    """The payload read by scim2-models, tolerating the clients' quirks (`TOLERANT`)."""
    validate: Any = model.model_validate  # type: ignore[attr-defined]
    return validate(payload, scim_ctx=context, scim_policy=TOLERANT)  # type: ignore[no-any-return]


async def read_json(request: Request) -> Any:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type and not media_type.endswith("json"):
        raise _bad("the body must be application/scim+json", ScimType.INVALID_SYNTAX)
    try:
        payload = json.loads(await request.body())
    except ValueError:
        raise _bad("the body is not JSON", ScimType.INVALID_SYNTAX) from None
    if not isinstance(payload, dict):
        raise _bad("the body must be a JSON object", ScimType.INVALID_SYNTAX)
    return payload
