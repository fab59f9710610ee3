"""The mfadesk Python SDK for the Cloud Administration API.

Works against mfadesk and against the real cloud service: all it needs is an administrator's
key file (its ``adminRestApiUrl`` says where the API is)::

    from mfadesk.client import AdminClient

    with AdminClient.from_key_file("help-desk-admin.key") as api:
        alice = api.lookup_user("alice@example.com")
        api.disable_hardware_token(alice.id, "000100000001")

An OAuth API client uses its private JWK file instead:
``AdminClient.from_oauth_client("ci.jwk")`` (access tokens are fetched and renewed for you).
`AsyncAdminClient` has the same methods as coroutines. Errors are `ApiError` subclasses
carrying the service's status, code and description (see `mfadesk.client.errors`). Offline
agents use `parse_offline_bundle` and `verify_offline` to check an emergency tokencode against
a downloaded bundle.
"""

from mfadesk.client.aio import AsyncAdminClient
from mfadesk.client.credentials import KEY_FILE_ENV, Credentials
from mfadesk.client.engine import ClientStats
from mfadesk.client.errors import (
    ApiError,
    AuthenticationFailed,
    BadRequest,
    Conflict,
    ConnectError,
    Forbidden,
    KeyFileError,
    MethodNotAllowed,
    MfadeskClientError,
    NotFound,
    RateLimited,
    ServerError,
    Timeout,
    TransportError,
    UnexpectedResponse,
)
from mfadesk.client.oauth import OAUTH_CLIENT_FILE_ENV, OAuthCredentials
from mfadesk.client.offline import parse_offline_bundle
from mfadesk.client.retry import NO_RETRIES, RetryPolicy
from mfadesk.client.sync import AdminClient
from mfadesk.otp.emergency import OfflineBundle, verify_offline
from mfadesk.wire.ds100 import Ds100CredentialStatus
from mfadesk.wire.emergency_tokencodes import EnableEmergencyTokencodeV1Response
from mfadesk.wire.hardware_tokens import SidTokenStatusResponse
from mfadesk.wire.users import UserDetailsResponse

__all__ = [
    "KEY_FILE_ENV",
    "NO_RETRIES",
    "OAUTH_CLIENT_FILE_ENV",
    "AdminClient",
    "ApiError",
    "AsyncAdminClient",
    "AuthenticationFailed",
    "BadRequest",
    "ClientStats",
    "Conflict",
    "ConnectError",
    "Credentials",
    "Ds100CredentialStatus",
    "EnableEmergencyTokencodeV1Response",
    "Forbidden",
    "KeyFileError",
    "MethodNotAllowed",
    "MfadeskClientError",
    "NotFound",
    "OAuthCredentials",
    "OfflineBundle",
    "RateLimited",
    "RetryPolicy",
    "ServerError",
    "SidTokenStatusResponse",
    "Timeout",
    "TransportError",
    "UnexpectedResponse",
    "UserDetailsResponse",
    "parse_offline_bundle",
    "verify_offline",
]
