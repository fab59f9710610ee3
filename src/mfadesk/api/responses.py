"""Building the contract's responses, errors included."""

from __future__ import annotations

import time

from pydantic import BaseModel
from starlette.responses import Response

from mfadesk.domain.errors import DomainError, PayloadTooLarge, RateLimited
from mfadesk.wire.errors import AuthErrorBody, ErrorBody

JSON = "application/json"
AUTH_FAILURE_MESSAGE = "Server failed to process provided access token"
CLIENT_KEY_FAILURE_MESSAGE = "Missing or invalid client-key"


def json_response(model: BaseModel, status: int = 200) -> Response:
    return Response(
        model.__pydantic_serializer__.to_json(model), status_code=status, media_type=JSON
    )


def error_response(status: int, reason: str, description: str) -> Response:
    body = ErrorBody(code=f"{status} {reason}", description=description)
    return json_response(body, status)


def domain_error_response(error: DomainError) -> Response:
    response = error_response(error.status, error.reason, error.description)
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    if isinstance(error, PayloadTooLarge):
        # The rest of the body is not wanted: the server closes instead of reading it all.
        response.headers["Connection"] = "close"
    return response


def too_many_requests(retry_after_seconds: int) -> Response:
    return domain_error_response(RateLimited(retry_after_seconds))


def _filter_response(status: int, error: str, message: str, path: str) -> Response:
    """The security filter's body: ``{timestamp, status, error, message, path}``."""
    body = AuthErrorBody(
        timestamp=int(time.time() * 1000), status=status, error=error, message=message, path=path
    )
    return json_response(body, status)


def auth_failure_response(path: str) -> Response:
    return _filter_response(403, "Forbidden", AUTH_FAILURE_MESSAGE, path)


def unauthorized_response(path: str) -> Response:
    """401 for the authentication API's ``client-key``, in the same filter format."""
    return _filter_response(401, "Unauthorized", CLIENT_KEY_FAILURE_MESSAGE, path)


def internal_error_response() -> Response:
    return error_response(500, "INTERNAL_SERVER_ERROR", "Internal server error")
