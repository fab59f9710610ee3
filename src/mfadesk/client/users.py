"""User operations."""

from __future__ import annotations

from mfadesk.client.operation import Operation, returns
from mfadesk.wire.users import UserDetailsResponse, UserLookupRequest


def lookup_user(
    email: str, *, search_unsynched: bool | None = None
) -> Operation[UserDetailsResponse]:
    """User details by e-mail (``POST v1/users/lookup``), with the emergency-access status
    and the current emergency tokencode's id. Read-only, so retried freely.

    Raises `NotFound` (``User <email> not found``), `BadRequest`.
    """
    body = UserLookupRequest.model_construct(email=email, searchUnsynched=search_unsynched)
    return Operation("POST", "v1/users/lookup", returns(UserDetailsResponse), body)
