"""User operations."""

from __future__ import annotations

from typing import Literal

from mfadesk.client.operation import Operation, path, returns, returns_nothing
from mfadesk.client.paging import Listing, elements_of
from mfadesk.wire.user_devices import UserDevicesResponse
from mfadesk.wire.users import (
    MarkDeletedRequest,
    MarkDeletedResponse,
    UserDetailsResponse,
    UserLookupRequest,
    UserSearchRequest,
    UserSearchResponse,
    UserStatusRequest,
    UserStatusResponse,
)

SEARCH_PAGE_SIZE = 25  # the most the contract allows per page (and its default)


def lookup_user(
    email: str, *, search_unsynched: bool | None = None
) -> Operation[UserDetailsResponse]:
    """User details by e-mail (``POST v1/users/lookup``), with the emergency-access status
    and the current emergency tokencode's id. Read-only, so retried freely.

    Raises `NotFound` (``User <email> not found``), `BadRequest`.
    """
    body = UserLookupRequest.model_construct(email=email, searchUnsynched=search_unsynched)
    return Operation("POST", "v1/users/lookup", returns(UserDetailsResponse), body)


def _search(
    version: str, email_like: str, page_size: int | None, page_number: int | None
) -> Operation[UserSearchResponse]:
    params = {
        name: value
        for name, value in (("pageSize", page_size), ("pageNumber", page_number))
        if value is not None
    }
    return Operation(
        "POST",
        f"{version}/users/search",
        returns(UserSearchResponse),
        UserSearchRequest.model_construct(emailLike=email_like),
        params=params or None,
    )


def search_users_v2(
    email_like: str, *, page_size: int | None = None, page_number: int | None = None
) -> Operation[UserSearchResponse]:
    """One page of the users whose e-mail contains `email_like`, any case, sorted by e-mail
    (``POST v2/users/search?pageSize=&pageNumber=``). `page_size` is 1..25 (the service's
    default 25), `page_number` counts from 0; a page past the end has no elements.
    Read-only, so retried freely. `iter_users` walks every page.

    Raises `BadRequest` (page parameters out of range).
    """
    return _search("v2", email_like, page_size, page_number)


def search_users_v1(
    email_like: str, *, page_size: int | None = None, page_number: int | None = None
) -> Operation[UserSearchResponse]:
    """The same search through the v1 path (``POST v1/users/search``), for services that
    lack v2. Read-only, so retried freely.

    Raises `BadRequest`.
    """
    return _search("v1", email_like, page_size, page_number)


def iter_users(
    email_like: str = "", *, page_size: int = SEARCH_PAGE_SIZE
) -> Listing[UserDetailsResponse]:
    """Every user whose e-mail contains `email_like` (all users for ``""``), fetched a page
    at a time through `search_users_v2`. A user met on an earlier page is not repeated when
    users are added meanwhile; one added or removed during the walk may be missed.

    Raises what `search_users_v2` raises, when the page that fails is fetched.
    """
    return elements_of(
        lambda number: search_users_v2(email_like, page_size=page_size, page_number=number),
        lambda page: page.elements,
        unique=lambda user: user.id,
    )


def set_user_status(
    user_id: str, user_status: Literal["Enabled", "Disabled"]
) -> Operation[UserStatusResponse]:
    """Enable or disable a user (``PUT v1/users/{userId}/userStatus``), Super Admin only. A
    disabled user gets no emergency tokencode and cannot authenticate. Sets a state (a repeat
    answers 200), so retried freely.

    Raises `Forbidden` (Help Desk Admin), `NotFound`, `Conflict` (enabling a user marked
    deleted), `BadRequest`.
    """
    body = UserStatusRequest.model_construct(userStatus=user_status)
    return Operation(
        "PUT", path("v1/users/{}/userStatus", user_id), returns(UserStatusResponse), body
    )


def mark_user_deleted(user_id: str, mark_deleted: bool = True) -> Operation[MarkDeletedResponse]:
    """Mark a disabled user deleted, or take the mark back with ``mark_deleted=False``
    (``PUT v1/users/{userId}/markDeleted``), Super Admin only.

    **Not repeated** after a lost answer: a repeat answers 409 (``already marked deleted``),
    which would hide the success. On a `TransportError` with ``request_sent``, check
    `lookup_user(...).markDeleted`.

    Raises `Forbidden` (Help Desk Admin), `NotFound`, `Conflict` (user still enabled,
    already marked, or not marked), `BadRequest`.
    """
    body = MarkDeletedRequest.model_construct(markDeleted=mark_deleted)
    return Operation(
        "PUT",
        path("v1/users/{}/markDeleted", user_id),
        returns(MarkDeletedResponse),
        body,
        idempotent=False,
    )


def delete_user(user_id: str) -> Operation[None]:
    """Delete a disabled user now (``DELETE v1/users/{userId}``), Super Admin only: for good,
    with their DS100 registrations and emergency tokencodes; their SID700 tokens go back to
    the pool, unassigned and Disabled. A user marked deleted is deleted seven days after the
    mark, not by this call.

    **Not repeated** after a lost answer: a repeat answers 404. On a `TransportError` with
    ``request_sent``, a `NotFound` from `lookup_user` means the user was deleted.

    Raises `Forbidden` (Help Desk Admin), `NotFound`, `MethodNotAllowed` (a SCIM source's
    user: SCIM deletes them), `Conflict` (the user is enabled, or already marked deleted).
    """
    return Operation("DELETE", path("v1/users/{}", user_id), returns_nothing, idempotent=False)


def sync_user(user_id: str) -> Operation[UserDetailsResponse]:
    """Synchronise the user from the identity source and answer their details
    (``POST v1/users/{userId}/sync``; mfadesk's local users have nothing to synchronise).
    A repeat synchronises again, harmlessly, so retried freely.

    Raises `NotFound`.
    """
    return Operation("POST", path("v1/users/{}/sync", user_id), returns(UserDetailsResponse))


def list_user_devices(
    user_id: str, *, include_browsers: bool | None = None
) -> Operation[UserDevicesResponse]:
    """The user's authenticators (``GET v2/users/{userId}/devices``): DS100 devices and their
    OTP credentials in ``devices``, SID700 tokens in ``sidTokens``, FIDO in ``fidoTokens``.
    Read-only, so retried freely.

    Raises `NotFound`, `BadRequest`.
    """
    params = (
        None if include_browsers is None else {"includeBrowsers": str(include_browsers).lower()}
    )
    return Operation(
        "GET", path("v2/users/{}/devices", user_id), returns(UserDevicesResponse), params=params
    )
