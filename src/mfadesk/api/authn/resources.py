"""``GET /authn/resources``: prompt texts by ``promptResourceId`` (English only, for now)."""

from __future__ import annotations

from starlette.responses import Response

from mfadesk.api.authn.outcomes import authn_outcomes
from mfadesk.api.authn.pipeline import AuthnEndpoint, AuthnRequest
from mfadesk.api.responses import json_response
from mfadesk.domain.authn_methods import RESOURCE_TEXTS
from mfadesk.services.authn_keys import authenticate_client
from mfadesk.wire.authn import NameValuePair, ResourceList, ResourcesQuery


async def resources(request: AuthnRequest) -> Response:
    await request.read(authenticate_client)
    wanted = request.http.query_params.get("resourceId")
    return json_response(
        ResourceList(
            [
                NameValuePair(name=resource_id, value=text)
                for resource_id, text in RESOURCE_TEXTS.items()
                if wanted is None or wanted == resource_id
            ]
        )
    )


ENDPOINTS = (
    AuthnEndpoint(
        "GET",
        "/authn/resources",
        "Prompt texts (lang, resourceId)",
        resources,
        None,
        authn_outcomes(ResourceList, with_body=False),
        query_model=ResourcesQuery,
    ),
)
