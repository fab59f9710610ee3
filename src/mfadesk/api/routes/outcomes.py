"""Status codes shared by many endpoints."""

from __future__ import annotations

from mfadesk.api.endpoint import Outcome
from mfadesk.wire.errors import AuthErrorBody, ErrorBody

BAD_REQUEST = Outcome("Malformed body or invalid value.", ErrorBody)
FORBIDDEN = Outcome(
    "Not authorized: the JWT was refused (filter body) or the role may not do this (error body).",
    AuthErrorBody,
    (ErrorBody,),
)
NOT_FOUND = Outcome("Not found.", ErrorBody)
METHOD_NOT_ALLOWED = Outcome("Not allowed for this object.", ErrorBody)
CONFLICT = Outcome("Conflict with the object's current state.", ErrorBody)
TOO_MANY = Outcome("Too many requests; see Retry-After.", ErrorBody)
SERVER_ERROR = Outcome("Internal server error.", ErrorBody)
