"""Emergency tokencode routes."""

from __future__ import annotations

from starlette.responses import Response

from mfadesk.api.endpoint import AdminRequest, Endpoint, Outcome
from mfadesk.api.responses import JSON, json_response
from mfadesk.api.routes.outcomes import BAD_REQUEST, FORBIDDEN, NOT_FOUND, SERVER_ERROR, TOO_MANY
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.emergency_tokencodes import (
    Expiry,
    parse_expiration_days,
    parse_expiry,
    parse_one_time_use,
)
from mfadesk.domain.oauth_clients import Scope
from mfadesk.services.emergency_tokencodes import (
    EmergencyRequest,
    disable_emergency_tokencodes,
    issue_emergency_tokencode,
)
from mfadesk.wire.emergency_tokencodes import (
    ConfigurationsUsed,
    EmptyResponse,
    EnableEmergencyTokencodeV1Request,
    EnableEmergencyTokencodeV1Response,
    EnableEmergencyTokencodeV2Request,
    EnableEmergencyTokencodeV2Response,
)


async def enable_v1(request: AdminRequest) -> Response:
    body = await request.body(EnableEmergencyTokencodeV1Request)
    validity = parse_expiration_days(body.expirationDays)
    issued = await issue_emergency_tokencode(
        request.state.db,
        request.call,
        request.path("userId").lower(),
        EmergencyRequest(validity=validity),
    )
    return json_response(
        EnableEmergencyTokencodeV1Response(
            emergencyTokencodeId=issued.id,
            emergencyTokencode=issued.code,
            expirationDate=format_timestamp(issued.expires_at),
            offlineExpirationDate=format_timestamp(issued.offline_expires_at),
        )
    )


async def enable_v2(request: AdminRequest) -> Response:
    body = await request.body(EnableEmergencyTokencodeV2Request)
    asked = parse_expiry(body.expiryUnit, body.expiryValue)
    one_time_use = parse_one_time_use(body.oneTimeUse)
    issued = await issue_emergency_tokencode(
        request.state.db,
        request.call,
        request.path("userId").lower(),
        EmergencyRequest(validity=asked.validity if asked else None, one_time_use=one_time_use),
    )
    # Report the validity in the caller's own unit when theirs was used, else the company's.
    used = asked if asked and not issued.configuration_locked else Expiry.of(issued.validity)
    return json_response(
        EnableEmergencyTokencodeV2Response(
            emergencyTokencodeId=issued.id,
            emergencyTokencode=issued.code,
            expirationDate=format_timestamp(issued.expires_at),
            offlineExpirationDate=format_timestamp(issued.offline_expires_at),
            oneTimeUse=issued.one_time_use,
            configurationsUsed=ConfigurationsUsed(
                expiryValue=used.value, expiryUnit=used.unit.value, oneTimeUse=issued.one_time_use
            ),
            configurationsLocked=issued.configuration_locked,
        )
    )


async def disable(request: AdminRequest) -> Response:
    await request.run(
        disable_emergency_tokencodes, request.path("userId").lower(), request.path("eacId").lower()
    )
    return Response(b"{}", media_type=JSON)


ENDPOINTS = (
    Endpoint(
        "PUT",
        "/v1/users/{userId}/emergencyTokencode",
        "Enable Emergency Tokencode (version 1)",
        enable_v1,
        EnableEmergencyTokencodeV1Request,
        {
            200: Outcome(
                "Emergency Tokencode successfully enabled.", EnableEmergencyTokencodeV1Response
            ),
            400: Outcome("Invalid expiration date. / User is disabled.", BAD_REQUEST.model),
            403: FORBIDDEN,
            404: Outcome("User not found.", NOT_FOUND.model),
            429: TOO_MANY,
            500: SERVER_ERROR,
        },
        tag="emergency tokencodes",
        scope=Scope.EMERGENCY_MANAGE,
    ),
    Endpoint(
        "PUT",
        "/v2/users/{userId}/emergencyTokencode",
        "Enable Emergency Tokencode (version 2)",
        enable_v2,
        EnableEmergencyTokencodeV2Request,
        {
            200: Outcome(
                "Emergency Tokencode successfully enabled, with the configuration used.",
                EnableEmergencyTokencodeV2Response,
            ),
            400: Outcome(
                "expiryUnit/expiryValue/oneTimeUse invalid, or User is disabled.",
                BAD_REQUEST.model,
            ),
            403: FORBIDDEN,
            404: Outcome("User not found.", NOT_FOUND.model),
            429: TOO_MANY,
            500: SERVER_ERROR,
        },
        tag="emergency tokencodes",
        scope=Scope.EMERGENCY_MANAGE,
    ),
    Endpoint(
        "DELETE",
        "/v1/users/{userId}/emergencyTokencode/{eacId}",
        "Disable Emergency Tokencode",
        disable,
        None,
        {
            200: Outcome("Emergency Tokencode successfully disabled.", EmptyResponse),
            403: FORBIDDEN,
            404: Outcome("User or emergency tokencode not found.", NOT_FOUND.model),
            429: TOO_MANY,
            500: SERVER_ERROR,
        },
        tag="emergency tokencodes",
        scope=Scope.EMERGENCY_MANAGE,
    ),
)
