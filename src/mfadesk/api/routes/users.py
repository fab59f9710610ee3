"""User routes."""

from __future__ import annotations

from starlette.responses import Response

from mfadesk.api.endpoint import AdminRequest, Endpoint, Outcome
from mfadesk.api.responses import json_response
from mfadesk.api.routes.outcomes import BAD_REQUEST, FORBIDDEN, NOT_FOUND, SERVER_ERROR, TOO_MANY
from mfadesk.domain.clock import format_timestamp
from mfadesk.services.users import UserDetails, lookup_user
from mfadesk.wire.users import UserDetailsResponse, UserLookupRequest


def _enabled(flag: bool) -> str:
    return "Enabled" if flag else "Disabled"


def user_details_body(details: UserDetails) -> UserDetailsResponse:
    user, online, offline = details.user, details.online_code, details.offline_code
    return UserDetailsResponse(
        id=user.id,
        emailAddress=user.email,
        firstName=user.first_name,
        lastName=user.last_name,
        userStatus=user.status.value,
        markDeleted=user.mark_deleted,
        emergencyAccessStatus=_enabled(online is not None),
        emergencyTokencodeId=online.id if online else None,
        emergencyTokencodeExpiration=format_timestamp(online.expires_at) if online else None,
        offlineEmergencyTokencodeExpiration=(
            format_timestamp(offline.offline_expires_at) if offline else None
        ),
        offlineEmergencyAccessStatus=_enabled(offline is not None),
    )


async def lookup(request: AdminRequest) -> Response:
    body = await request.body(UserLookupRequest)
    details = await request.run(lookup_user, body.email)
    return json_response(user_details_body(details))


ENDPOINTS = (
    Endpoint(
        "POST",
        "/v1/users/lookup",
        "User Details",
        lookup,
        UserLookupRequest,
        {
            200: Outcome("The user.", UserDetailsResponse),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: Outcome("User <email> not found.", NOT_FOUND.model),
            429: TOO_MANY,
            500: SERVER_ERROR,
        },
        tag="users",
    ),
)
