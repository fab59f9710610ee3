"""User bodies."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from mfadesk.wire.base import QueryModel, RequestModel, ResponseModel, Timestamp, Uuid, text
from mfadesk.wire.schemas import BOOLEAN_OR_TEXT, replaced_by

Email = Annotated[str, text(1, 320)]
EmailPart = Annotated[str, text(max_length=320)]
Status = Literal["Enabled", "Disabled"]


class UserLookupRequest(RequestModel):
    email: Email
    searchUnsynched: bool | None = None


Name = Annotated[str, text(max_length=255)]
# A new user's e-mail: at least an "@" (the service refuses anything else as no address).
NEW_EMAIL = r"^[^\x00]*@[^\x00]*$"
NewEmail = Annotated[
    str, StringConstraints(min_length=3, max_length=320, strict=True, pattern=NEW_EMAIL)
]


class CreateUserRequest(RequestModel):
    """Create Local User (OAuth only). The other fields of the cloud's body (`password`,
    phones, groups…) are accepted and ignored, as is `identitySource`."""

    firstName: Annotated[str, text(1, 255)]
    lastName: Name = ""
    userName: Annotated[str, text(1, 320)]
    email: NewEmail
    identitySource: Any = None


class UserDetailsResponse(ResponseModel):
    """The user object of User Details, Search and Synchronize, in the reference's order."""

    id: Uuid
    emailAddress: str
    firstName: str
    lastName: str
    creationDate: Timestamp | None
    identitySource: str
    userStatus: Status
    highRiskUser: bool
    markDeleted: bool
    markDeletedAt: Timestamp | None
    markDeletedBy: str | None
    isTokenLocked: bool
    isSmsLocked: bool
    isVoiceLocked: bool
    isFingerprintLocked: bool
    isApproveLocked: bool
    lastSyncTime: Timestamp | None
    emergencyAccessStatus: Status
    emergencyTokencodeId: Uuid | None
    emergencyTokencodeExpiration: Timestamp | None
    emergencyTokencodeLastUse: Timestamp | None
    offlineEmergencyTokencodeExpiration: Timestamp | None
    offlineEmergencyAccessStatus: Status
    monthLastAuthenticated: str | None
    principalUsername: str
    alternateUsername: str
    primaryUniqueIdentifier: str


class UserSearchRequest(RequestModel):
    """Search (v1 and v2): the e-mail must contain `emailLike` literally (no wildcards)."""

    emailLike: EmailPart


class UserSearchQuery(QueryModel):
    """Search's paging: ``pageSize`` 1..25 (default 25), ``pageNumber`` from 0 (default 0)."""

    # The domain's bounds (`domain.users`), which the wire may not import; a test compares.
    pageSize: Annotated[int, Field(ge=1, le=25, description="Users per page, 1 to 25.")] = 25
    pageNumber: Annotated[int, Field(ge=0, description="Zero-based page number.")] = 0


class UserSearchResponse(ResponseModel):
    totalPages: int
    totalElements: int
    elements: list[UserDetailsResponse]


class UserStatusRequest(RequestModel):
    # Validated by the domain.
    userStatus: Any = Field(
        description="`Enabled` or `Disabled` (any case is accepted).",
        json_schema_extra=replaced_by({"type": "string", "enum": ["Enabled", "Disabled"]}),
    )


class UserStatusResponse(ResponseModel):
    id: Uuid
    userStatus: Status


class MarkDeletedRequest(RequestModel):
    # Validated by the domain.
    markDeleted: Any = Field(
        description="A boolean, or the string `true` / `false` (any case).",
        json_schema_extra=replaced_by(BOOLEAN_OR_TEXT),
    )


class MarkDeletedResponse(ResponseModel):
    id: Uuid
    markDeleted: bool


class DeleteUserResponse(ResponseModel):
    """``{}``: Delete User Now's reply (the reference documents no body)."""
