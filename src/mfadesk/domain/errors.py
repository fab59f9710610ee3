"""The one error tree of mfadesk.

Every error a use case can raise carries the HTTP status and the wire description the contract
gives for it, so the HTTP edge maps them in one place::

    DomainError
    ├── BadRequest            400  syntax or value errors the domain detects
    ├── ClientNotAuthenticated 401 missing/unknown/revoked ``client-key`` (authentication API)
    ├── NotAuthenticated      403  filter-format body (bad/unknown/revoked credentials)
    ├── Forbidden             403  role may not perform the action
    ├── NotFound              404
    ├── MethodNotAllowed      405  not for this object (a SCIM source's user)
    ├── Conflict              409
    ├── PayloadTooLarge       413  a request body over the deployment's limit
    ├── HeaderFieldsTooLarge  431  a request head over its bound
    └── RateLimited           429
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every expected failure; `status` and `description` go on the wire."""

    status: int = 500
    reason: str = "INTERNAL_SERVER_ERROR"

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class BadRequest(DomainError):
    status = 400
    reason = "BAD_REQUEST"


class ClientNotAuthenticated(DomainError):
    """An agent's ``client-key`` was missing, unknown or revoked (authentication API)."""

    status = 401
    reason = "UNAUTHORIZED"

    def __init__(self, description: str = "Missing or invalid client-key") -> None:
        super().__init__(description)


class NotAuthenticated(DomainError):
    """The caller's credentials were not accepted. Answered in the security filter's format."""

    status = 403
    reason = "FORBIDDEN"

    def __init__(self, description: str = "Server failed to process provided access token") -> None:
        super().__init__(description)


class Forbidden(DomainError):
    status = 403
    reason = "FORBIDDEN"


class NotFound(DomainError):
    status = 404
    reason = "NOT_FOUND"


class MethodNotAllowed(DomainError):
    status = 405
    reason = "METHOD_NOT_ALLOWED"


class Conflict(DomainError):
    status = 409
    reason = "CONFLICT"


class PayloadTooLarge(DomainError):
    status = 413
    reason = "PAYLOAD_TOO_LARGE"

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body too large: at most {limit} bytes.")
        self.limit = limit


class HeaderFieldsTooLarge(DomainError):
    status = 431
    reason = "REQUEST_HEADER_FIELDS_TOO_LARGE"

    def __init__(self, max_fields: int, max_bytes: int) -> None:
        super().__init__(
            f"Request header fields too large: at most {max_fields} fields"
            f" of {max_bytes} bytes in all."
        )


class RateLimited(DomainError):
    status = 429
    reason = "TOO_MANY_REQUESTS"

    def __init__(self, retry_after_seconds: int, description: str = "Too many requests.") -> None:
        super().__init__(description)
        self.retry_after_seconds = retry_after_seconds
