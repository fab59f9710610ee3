"""What the SCIM service provider publishes and reads, as scim2-models resources.

The User resource is the core schema narrowed to what mfadesk keeps: advertising an attribute
that is not stored would make clients believe it is (RFC 7643 §7 lets a provider publish the
subset it supports). `emails` is required: every mfadesk user has an e-mail address; mfadesk
keeps one, the user's, published as the `work` address.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ComplexAttribute,
    ETag,
    Filter,
    Meta,
    Patch,
    Required,
    Resource,
    ResourceType,
    Schema,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

from mfadesk.domain.scim import MAX_PAGE_SIZE

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
WORK = "work"

# What provisioning clients send that RFC 7644 does not (Microsoft Entra ID, Okta): attributes
# mfadesk does not keep (`displayName`, `emails[].primary`, the enterprise extension…) are
# dropped rather than refused, a `remove` may name its target in `value`, and a `replace` of
# `emails[type eq "work"].value` on a user without one adds it.
TOLERANT = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


class ScimName(ComplexAttribute):
    family_name: str | None = None
    """The family name of the User (mfadesk's lastName)."""

    given_name: str | None = None
    """The given name of the User (mfadesk's firstName)."""


class ScimEmail(ComplexAttribute):
    value: Annotated[str | None, Required.true] = None
    """The e-mail address (compared in any case)."""

    type: str | None = Field(None, examples=[WORK])
    """mfadesk keeps one address per user, the work one."""


class ScimUser(Resource[Any]):
    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Required.true, Uniqueness.server] = None
    """The name the person signs in with (mfadesk's principalUsername); unique in any case."""

    name: ScimName | None = None
    """The components of the user's name."""

    emails: Annotated[list[ScimEmail] | None, Required.true] = None
    """The user's e-mail address: the primary one, else the work one, else the first."""

    active: Annotated[bool | None, Required.true] = None
    """Whether the user may authenticate (mfadesk's Enabled / Disabled): always known, so
    required; a request that leaves it out keeps the user's status (enabled when new)."""


USER_RESOURCE_TYPE = ResourceType(
    id="User",
    name="User",
    description="The users of this SCIM source",
    endpoint="/Users",
    schema_=USER_SCHEMA,
)


def published_schemas() -> list[Schema]:
    """The User schema and the three schemas every service provider publishes (RFC 7643 §7)."""
    user = ScimUser.to_schema()
    user.name = "User"
    user.description = "User Account (the attributes mfadesk keeps)"
    return [
        user,
        ServiceProviderConfig.to_schema(),
        ResourceType.to_schema(),
        Schema.to_schema(),
    ]


def service_provider_config(documentation: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=documentation,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_PAGE_SIZE),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="The token `mfadesk source add-scim` printed for this source",
                spec_uri="https://www.rfc-editor.org/rfc/rfc6750",
                primary=True,
            )
        ],
    )


def with_meta(resource: Resource[Any], resource_type: str, location: str) -> Any:
    resource.meta = Meta(resource_type=resource_type, location=location)
    return resource


class ScimEmailRequest(ScimEmail):
    primary: bool | None = None
    """Read to choose the user's address among several; never stored."""

    display: str | None = None


class ScimUserRequest(Resource[Any]):
    """What clients may send: the published User, plus the e-mail sub-attributes that choose
    among several addresses."""

    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Required.true, Uniqueness.server] = None
    name: ScimName | None = None
    emails: Annotated[list[ScimEmailRequest] | None, Required.true] = None
    active: bool | None = None
