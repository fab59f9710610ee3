"""User routes: details, search, synchronise, status, mark-deleted and delete."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime

from annotated_types import Ge, Le
from starlette.responses import Response

from mfadesk.api.endpoint import AdminRequest, Endpoint, Outcome
from mfadesk.api.responses import json_response
from mfadesk.api.routes.outcomes import (
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    SERVER_ERROR,
    TOO_MANY,
)
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.errors import BadRequest
from mfadesk.domain.ldap_sources import DirectoryEntry, DirectoryUnavailable
from mfadesk.domain.oauth_clients import Scope
from mfadesk.domain.users import parse_mark_deleted, parse_user_status
from mfadesk.services.directory import find_by_email, read_entry
from mfadesk.services.directory_users import (
    begin_lookup,
    begin_user_sync,
    directory_failed,
    finish_lookup,
    finish_user_sync,
)
from mfadesk.services.users import (
    UserDetails,
    create_local_user,
    delete_user,
    lookup_user,
    search_users,
    set_mark_deleted,
    set_user_status,
)
from mfadesk.wire.errors import ErrorBody
from mfadesk.wire.users import (
    CreateUserRequest,
    DeleteUserResponse,
    MarkDeletedRequest,
    MarkDeletedResponse,
    UserDetailsResponse,
    UserLookupRequest,
    UserSearchQuery,
    UserSearchRequest,
    UserSearchResponse,
    UserStatusRequest,
    UserStatusResponse,
)

_DIGITS = re.compile(r"\d+")
log = logging.getLogger("mfadesk.api.users")


def _enabled(flag: bool) -> str:
    return "Enabled" if flag else "Disabled"


def _timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)


def user_details_body(details: UserDetails) -> UserDetailsResponse:
    user, online, offline = details.user, details.online_code, details.offline_code
    return UserDetailsResponse(
        id=user.id,
        emailAddress=user.email,
        firstName=user.first_name,
        lastName=user.last_name,
        creationDate=_timestamp(user.created_at),
        identitySource=details.source_name,
        userStatus=user.status.value,
        highRiskUser=False,
        markDeleted=user.mark_deleted,
        markDeletedAt=_timestamp(user.mark_deleted_at),
        markDeletedBy=user.mark_deleted_by,
        isTokenLocked=False,
        isSmsLocked=False,
        isVoiceLocked=False,
        isFingerprintLocked=False,
        isApproveLocked=False,
        lastSyncTime=_timestamp(user.last_sync_time),
        emergencyAccessStatus=_enabled(online is not None),
        emergencyTokencodeId=online.id if online else None,
        emergencyTokencodeExpiration=_timestamp(online.expires_at) if online else None,
        emergencyTokencodeLastUse=_timestamp(details.last_use),
        offlineEmergencyTokencodeExpiration=(
            _timestamp(offline.offline_expires_at) if offline else None
        ),
        offlineEmergencyAccessStatus=_enabled(offline is not None),
        monthLastAuthenticated=None,
        principalUsername=user.principal_username or user.email,
        alternateUsername=user.alternate_username or "",
        primaryUniqueIdentifier=user.primary_unique_identifier or user.id,
    )


async def lookup(request: AdminRequest) -> Response:
    body = await request.body(UserLookupRequest)
    if body.searchUnsynched is not True:
        details = await request.run(lookup_user, body.email)
        return json_response(user_details_body(details))
    start = await request.run(begin_lookup, body.email, True)
    if start.details is not None:
        return json_response(user_details_body(start.details))
    found: tuple[str, DirectoryEntry] | None = None
    for access in start.accesses:
        try:
            entry = await asyncio.to_thread(find_by_email, access, body.email.strip())
        except DirectoryUnavailable as error:
            # Another source may still have the user; this one is only logged.
            log.warning("searchUnsynched: %s", error.description)
            continue
        if entry is not None:
            found = access.source.id, entry
            break
    source_id, entry_found = found if found is not None else (None, None)
    details = await request.run(finish_lookup, body.email, source_id, entry_found)
    return json_response(user_details_body(details))


def _page_parameter(request: AdminRequest, name: str) -> int:
    """A paging query parameter within `UserSearchQuery`'s bounds; absent or empty: its default.
    Parsed here rather than by `request.query` for the messages clients have seen."""
    field = UserSearchQuery.model_fields[name]
    low = next(int(m.ge) for m in field.metadata if isinstance(m, Ge))  # type: ignore[call-overload]
    high = next((int(m.le) for m in field.metadata if isinstance(m, Le)), None)  # type: ignore[call-overload]
    raw = request.http.query_params.get(name, "").strip()
    if raw == "":
        return int(field.default)
    if _DIGITS.fullmatch(raw):
        # Any number this long is past every page (and int() refuses thousands of digits).
        value = int(raw) if len(raw) <= 18 else 10**18
        if low <= value and (high is None or value <= high):
            return value
    upper = "" if high is None else f" to {high}"
    raise BadRequest(f"{name} must be a whole number from {low}{upper}")


async def search(request: AdminRequest) -> Response:
    body = await request.body(UserSearchRequest)
    page_size = _page_parameter(request, "pageSize")
    page_number = _page_parameter(request, "pageNumber")
    page = await request.run(search_users, body.emailLike, page_size, page_number)
    return json_response(
        UserSearchResponse(
            totalPages=page.total_pages,
            totalElements=page.total,
            elements=[user_details_body(d) for d in page.users],
        )
    )


async def user_status(request: AdminRequest) -> Response:
    body = await request.body(UserStatusRequest)
    status = parse_user_status(body.userStatus)
    user = await request.run(set_user_status, request.path("userId").lower(), status)
    return json_response(UserStatusResponse(id=user.id, userStatus=user.status.value))


async def mark_deleted(request: AdminRequest) -> Response:
    body = await request.body(MarkDeletedRequest)
    mark = parse_mark_deleted(body.markDeleted)
    user = await request.run(set_mark_deleted, request.path("userId").lower(), mark)
    return json_response(MarkDeletedResponse(id=user.id, markDeleted=user.mark_deleted))


async def create(request: AdminRequest) -> Response:
    body = await request.body(CreateUserRequest)
    details = await request.run(
        create_local_user, body.email, body.firstName, body.lastName, body.userName
    )
    return json_response(user_details_body(details))


async def delete(request: AdminRequest) -> Response:
    await request.run(delete_user, request.path("userId").lower())
    return json_response(DeleteUserResponse())


async def sync(request: AdminRequest) -> Response:
    user_id = request.path("userId").lower()
    start = await request.run(begin_user_sync, user_id)
    if start.details is not None:
        return json_response(user_details_body(start.details))
    assert start.access is not None
    try:
        entry = await asyncio.to_thread(read_entry, start.access, start.unique_id)
    except DirectoryUnavailable as error:
        await request.run(directory_failed, user_id, error.description)
        raise
    details = await request.run(finish_user_sync, user_id, start.access.source.id, entry)
    return json_response(user_details_body(details))


def _search_endpoint(version: str) -> Endpoint:
    return Endpoint(
        "POST",
        f"/{version}/users/search",
        f"User Search ({version}): e-mail contains emailLike; ?pageSize=1..25&pageNumber=0..",
        search,
        UserSearchRequest,
        {
            200: Outcome("A page of matching users, sorted by e-mail.", UserSearchResponse),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            429: TOO_MANY,
            500: SERVER_ERROR,
        },
        tag="users",
        scope=Scope.USER_READ,
        query_model=UserSearchQuery,
    )


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
        scope=Scope.USER_READ,
    ),
    _search_endpoint("v1"),
    _search_endpoint("v2"),
    Endpoint(
        "PUT",
        "/v1/users/{userId}/userStatus",
        "User Status (Super Admin only)",
        user_status,
        UserStatusRequest,
        {
            200: Outcome("The user's status after the change.", UserStatusResponse),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: Outcome("User <id> not found.", NOT_FOUND.model),
            409: Outcome("A user marked deleted cannot be enabled.", CONFLICT.model),
            429: TOO_MANY,
            500: SERVER_ERROR,
        },
        tag="users",
        scope=Scope.USER_MANAGE,
    ),
    Endpoint(
        "PUT",
        "/v1/users/{userId}/markDeleted",
        "Mark User Deleted (Super Admin only)",
        mark_deleted,
        MarkDeletedRequest,
        {
            200: Outcome("The user's deletion mark after the change.", MarkDeletedResponse),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: Outcome("User <id> not found.", NOT_FOUND.model),
            409: Outcome("Already (un)marked, or the user is still enabled.", CONFLICT.model),
            429: TOO_MANY,
            500: SERVER_ERROR,
        },
        tag="users",
        scope=Scope.USER_DELETE_SOFT,
    ),
    Endpoint(
        "DELETE",
        "/v1/users/{userId}",
        "Delete User Now (Super Admin only): a disabled user, with their authenticators",
        delete,
        None,
        {
            200: Outcome("The user is deleted: {}.", DeleteUserResponse),
            403: FORBIDDEN,
            404: Outcome("User <id> not found.", NOT_FOUND.model),
            405: Outcome(
                "The user belongs to a SCIM identity source (SCIM deletes them).",
                METHOD_NOT_ALLOWED.model,
            ),
            409: Outcome("The user is enabled, or already marked deleted.", CONFLICT.model),
            429: TOO_MANY,
            500: SERVER_ERROR,
        },
        tag="users",
        scope=Scope.USER_DELETE,
    ),
    Endpoint(
        "POST",
        "/v1/users/{userId}/sync",
        "Synchronize User: re-read a directory user from its LDAP source (others: no change)",
        sync,
        None,
        {
            200: Outcome("The user, as the directory has them now.", UserDetailsResponse),
            403: FORBIDDEN,
            404: Outcome("User <id> not found.", NOT_FOUND.model),
            429: TOO_MANY,
            500: SERVER_ERROR,
            503: Outcome("The user's directory could not be read; nothing changed.", ErrorBody),
        },
        tag="users",
        scope=Scope.USER_SYNC,
    ),
    Endpoint(
        "POST",
        "/v1/users/create",
        "Create Local User (OAuth access tokens only)",
        create,
        CreateUserRequest,
        {
            200: Outcome("The new user.", UserDetailsResponse),
            400: Outcome(
                "A missing or malformed field, or the e-mail or user name is taken.",
                BAD_REQUEST.model,
            ),
            403: FORBIDDEN,
            429: TOO_MANY,
            500: SERVER_ERROR,
        },
        tag="users",
        scope=Scope.GROUP_USERS_MANAGE,
        oauth_only=True,
    ),
)
