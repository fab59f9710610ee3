"""The SCIM 2.0 service provider (RFC 7643, RFC 7644) at ``<public URL>/scim/v2``.

A provisioning client (Microsoft Entra ID, Okta…) authenticates with its SCIM source's bearer
token and manages that source's users. Discovery (`ServiceProviderConfig`, `ResourceTypes`,
`Schemas`) needs no token: it describes the service, not anyone's data. Everything under the
base URL answers in SCIM's own format, unknown paths (`/Groups` included: groups are not
offered) and wrong methods too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from scim2_models import Context, ListResponse, Schema, SCIMException
from scim2_models import ResourceType as ScimResourceType
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mfadesk.api.scim.models import (
    USER_RESOURCE_TYPE,
    published_schemas,
    service_provider_config,
    with_meta,
)
from mfadesk.api.scim.replies import (
    domain_error_reply,
    library_error_reply,
    scim_error,
    scim_reply,
)
from mfadesk.api.scim.users import UserEndpoints
from mfadesk.domain.errors import DomainError, PayloadTooLarge
from mfadesk.domain.scim import SCIM_BASE_PATH, ScimUnauthorized, scim_base_url
from mfadesk.observability.events import refused_login

if TYPE_CHECKING:
    from mfadesk.api.state import AppState

log = logging.getLogger("mfadesk.api")
Handler = Callable[[Request], Awaitable[Response]]
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
DOCUMENTATION = "https://github.com/mfadesk/mfadesk/blob/main/docs/scim.md"


def _listing(model: Any, resources: list[Any]) -> Any:
    listing = ListResponse[model](
        total_results=len(resources),
        start_index=1,
        items_per_page=len(resources),
        resources=resources,
    )
    return listing.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


class _Documents:
    """The discovery documents, made once."""

    def __init__(self, base_url: str) -> None:
        config = service_provider_config(DOCUMENTATION)
        with_meta(config, "ServiceProviderConfig", f"{base_url}/ServiceProviderConfig")
        self.config = config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        resource_type = USER_RESOURCE_TYPE.model_copy(deep=True)
        with_meta(resource_type, "ResourceType", f"{base_url}/ResourceTypes/User")
        self.resource_types = {"User": resource_type}
        self.schemas: dict[str, Schema] = {}
        for schema in published_schemas():
            assert schema.id is not None
            self.schemas[schema.id] = with_meta(schema, "Schema", f"{base_url}/Schemas/{schema.id}")

    async def service_provider_config(self, request: Request) -> Response:
        return scim_reply(self.config)

    async def all_resource_types(self, request: Request) -> Response:
        return scim_reply(_listing(ScimResourceType, list(self.resource_types.values())))

    async def resource_type(self, request: Request) -> Response:
        found: ScimResourceType | None = self.resource_types.get(request.path_params["name"])
        if found is None:
            return scim_error(404, f"no resource type {request.path_params['name']!r}")
        return scim_reply(found.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))

    async def all_schemas(self, request: Request) -> Response:
        return scim_reply(_listing(Schema, list(self.schemas.values())))

    async def schema(self, request: Request) -> Response:
        found = self.schemas.get(request.path_params["schema_id"])
        if found is None:
            return scim_error(404, f"no schema {request.path_params['schema_id']!r}")
        return scim_reply(found.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _guarded(state: AppState, handler: Handler) -> Handler:
    """Every failure as a SCIM error; refused tokens count against the client IP's bucket of
    failed logins (429 once it is empty), as on the admin API."""

    async def answer(request: Request) -> Response:
        try:
            return await handler(request)
        except ScimUnauthorized as error:
            refused_login("scim", "bearer token refused")
            source_ip = request.client.host if request.client else "unknown"
            retry = await state.failure_buckets.take(source_ip)
            if retry is not None:
                detail = f"too many refused bearer tokens; retry after {retry} seconds"
                return scim_error(429, detail, headers={"Retry-After": str(retry)})
            return domain_error_reply(error)
        except (DomainError, PayloadTooLarge) as error:
            return domain_error_reply(error)
        except (SCIMException, ValidationError) as error:
            return library_error_reply(error)
        except Exception:
            log.exception("unhandled error in %s %s", request.method, request.url.path)
            return scim_error(500, "internal server error")

    return answer


def _route(state: AppState, path: str, handlers: dict[str, Handler]) -> Route:
    """A path whose other methods answer a SCIM 405 (with `Allow`)."""
    allowed = ", ".join(sorted(handlers))

    async def dispatch(request: Request) -> Response:
        handler = handlers.get(request.method)
        if handler is None:
            detail = f"{request.method} is not supported on {request.url.path}"
            return scim_error(405, detail, headers={"Allow": allowed})
        return await handler(request)

    return Route(SCIM_BASE_PATH + path, _guarded(state, dispatch), methods=_ALL_METHODS)


async def _not_found(request: Request) -> Response:
    return scim_error(404, f"no SCIM endpoint at {request.url.path}")


def scim_routes(state: AppState) -> list[BaseRoute]:
    base_url = scim_base_url(state.settings.effective_public_url())
    documents = _Documents(base_url)
    users = UserEndpoints(state, base_url)
    return [
        _route(state, "/ServiceProviderConfig", {"GET": documents.service_provider_config}),
        _route(state, "/ResourceTypes", {"GET": documents.all_resource_types}),
        _route(state, "/ResourceTypes/{name}", {"GET": documents.resource_type}),
        _route(state, "/Schemas", {"GET": documents.all_schemas}),
        _route(state, "/Schemas/{schema_id}", {"GET": documents.schema}),
        _route(state, "/Users", {"GET": users.list, "POST": users.create}),
        _route(state, "/Users/.search", {"POST": users.search}),
        _route(
            state,
            "/Users/{user_id}",
            {
                "GET": users.get,
                "PUT": users.replace,
                "PATCH": users.patch,
                "DELETE": users.delete,
            },
        ),
        _route(state, "/.search", {"POST": users.search}),
        Route(SCIM_BASE_PATH, _not_found, methods=_ALL_METHODS),
        Route(SCIM_BASE_PATH + "/{rest:path}", _not_found, methods=_ALL_METHODS),
    ]
