"""SecurID Authentication API bodies (``/mfa/v1_1/authn/...``), named as the public API names
them. Requests are tolerant (unknown fields ignored); responses always carry every field."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, PlainValidator, RootModel, WithJsonSchema
from pydantic_core import PydanticCustomError

from mfadesk.wire.base import QueryModel, RequestModel, ResponseModel, Timestamp, Uuid, text

ResponseCodeName = Literal["SUCCESS", "FAIL", "ERROR", "CHALLENGE", "IN_PROCESS"]
Text255 = Annotated[str, text(max_length=255)]
MessageId = Annotated[str, text(1, 128)]
OptionalMessageId = Annotated[str, text(max_length=128)]
SubjectName = Annotated[str, text(1, 320)]
InputValue = Annotated[str, text(max_length=4096)]


def _seconds(value: object) -> float | None:
    """A JSON number, or a string holding one (blank: absent). The domain clamps it to its
    range; only what is no number at all (a boolean, an object, ``"soon"``, NaN) is refused."""
    if value is None:
        return None
    number: float | None = None
    if isinstance(value, str) and len(value) <= 64:
        if not value.strip():
            return None
        try:
            number = float(value)
        except ValueError:
            number = None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float: as far out as it goes
            number = math.inf if value > 0 else -math.inf
    if number is None or math.isnan(number):
        raise PydanticCustomError("seconds", "Input should be a number of seconds")
    return number


# A JSON number, or a string holding one (surrounding blanks allowed; blank: absent).
_NUMBER_TEXT = r"^[ \t\r\n]*([-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?)?[ \t\r\n]*$"
Seconds = Annotated[
    float | None,
    PlainValidator(_seconds),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "maxLength": 64, "pattern": _NUMBER_TEXT},
                {"type": "null"},
            ],
            "description": "Seconds, brought within 1..3600 (a fraction is rounded up).",
        }
    ),
]


# --- requests ---------------------------------------------------------------------------


class NameValueInput(RequestModel):
    name: Text255
    value: InputValue | None = None
    dataType: Text255 | None = None


class InitializeContext(RequestModel):
    messageId: MessageId
    # Real agents send these empty on initialize; any value is ignored.
    authnAttemptId: OptionalMessageId | None = None
    inResponseTo: OptionalMessageId | None = None


class VerifyContext(RequestModel):
    authnAttemptId: MessageId
    messageId: MessageId
    inResponseTo: OptionalMessageId | None = None


class CredentialInput(RequestModel):
    methodId: Annotated[str, text(1, 64)]
    versionId: Text255 | None = None
    referenceId: Text255 | None = None
    collectedInputs: Annotated[list[NameValueInput], Field(max_length=16)]


Credentials = Annotated[list[CredentialInput], Field(max_length=8)]


class InitializeRequest(RequestModel):
    clientId: Text255 | None = None
    subjectName: SubjectName
    lang: Text255 | None = None
    authnAttemptTimeout: Seconds = None
    assurancePolicyId: Text255 | None = None
    sessionAttributes: Annotated[list[NameValueInput], Field(max_length=64)] | None = None
    subjectCredentials: Credentials | None = None
    context: InitializeContext
    keepAttempt: bool | None = None


class VerifyRequest(RequestModel):
    subjectCredentials: Credentials
    context: VerifyContext


class StatusRequest(RequestModel):
    authnAttemptId: MessageId
    removeAttemptId: bool | None = None


class CancelRequest(RequestModel):
    authnAttemptId: MessageId
    reason: Literal["USER_ACTION", "TIME_OUT"] | None = None
    removeAttemptId: bool | None = None


class OfflineDataRequest(RequestModel):
    offlineDataTicket: Annotated[str, text(1, 1024)]


class ResourcesQuery(QueryModel):
    """``GET /authn/resources``: both accepted as any text."""

    lang: Annotated[str | None, Field(description="Accepted and ignored: English only.")] = None
    resourceId: Annotated[
        str | None, Field(description="Only this prompt's text (none if unknown).")
    ] = None


# --- responses --------------------------------------------------------------------------


class NameValuePair(ResponseModel):
    name: str
    value: str | None
    dataType: str | None = "STRING"


class AuthnContext(ResponseModel):
    authnAttemptId: str
    messageId: str
    inResponseTo: str | None


class MethodPrompt(ResponseModel):
    promptResourceId: str
    defaultText: str
    formatRegex: str | None = None
    defaultValue: str | None = None
    valueBeingDefined: bool = False
    sensitive: bool = True
    minLength: int | None = None
    maxLength: int | None = None
    promptArgs: list[str] = []


class AuthenticationMethodVersion(ResponseModel):
    versionId: str
    methodAttributes: list[NameValuePair] = []
    valueRequired: bool = True
    referenceId: str | None = None
    prompt: MethodPrompt


class AuthenticationMethod(ResponseModel):
    methodId: str
    displayName: str
    priority: int | None
    versions: list[AuthenticationMethodVersion]


class ChallengeMethodSet(ResponseModel):
    methodSetId: str | None = None
    requiredMethods: list[AuthenticationMethod]


class ChallengeMethods(ResponseModel):
    challenges: list[ChallengeMethodSet] = []


class CredentialValidationResult(ResponseModel):
    methodId: str
    methodResponseCode: ResponseCodeName
    methodReasonCode: str | None
    authnAttributes: list[NameValuePair] = []


class AuthnResponse(ResponseModel):
    """What initialize, verify and cancel answer (always HTTP 200)."""

    context: AuthnContext
    credentialValidationResults: list[CredentialValidationResult]
    attemptResponseCode: ResponseCodeName
    attemptReasonCode: str
    challengeMethods: ChallengeMethods


class AuthnStatusResponse(ResponseModel):
    attemptResponseCode: ResponseCodeName
    attemptReasonCode: str
    subjectName: str | None
    authnPolicyId: str | None
    sessionAttributes: list[NameValuePair]
    successfulMethods: list[str]
    attemptExpires: Timestamp | None


class ResourceList(RootModel[list[NameValuePair]]):
    """``GET /authn/resources``: prompt texts by ``promptResourceId``."""


class OfflineBundleBody(ResponseModel):
    """The offline emergency tokencode data of one user: a slow salted hash, never the code."""

    userId: Uuid
    subjectName: str
    emergencyTokencodeId: Uuid
    verifier: str
    offlineExpirationDate: Timestamp
