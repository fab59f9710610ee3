"""`GET /Users?filter=…`: the filters provisioning clients send, as a `ScimUserQuery`.

Supported: `eq` comparisons of `userName`, `externalId`, `id`, `active` and the e-mail
(`emails eq`, `emails.value eq`, `emails[type eq "work"].value eq`, `emails[value eq …]`),
joined by `and`. Anything else is a 400 `invalidFilter`: answering it from a scan of every user
would not scale, and no provisioning client needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from scim2_models import SCIMException, ScimFilter
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    ValuePath,
)

from mfadesk.api.scim.models import USER_SCHEMA, WORK, ScimUserRequest
from mfadesk.domain.scim import ScimBadRequest, ScimType, ScimUserQuery

_SUPPORTED = (
    "only eq comparisons of userName, externalId, id, active and emails.value, joined by and, "
    "are supported"
)
_FIELDS = {"username": "user_name", "externalid": "external_id", "id": "user_id"}


@dataclass
class _Criteria:
    values: dict[str, Any] = field(default_factory=dict)
    impossible: bool = False

    def require(self, name: str, value: Any) -> None:
        if name in self.values and self.values[name] != value:
            self.impossible = True  # `userName eq "a" and userName eq "b"`
        self.values[name] = value


def _bad(detail: str) -> ScimBadRequest:
    return ScimBadRequest(detail, ScimType.INVALID_FILTER)


def _attr(path: AttrPath) -> str:
    if path.uri is not None and path.uri.lower() != USER_SCHEMA.lower():
        raise _bad(f"attributes of {path.uri} are not kept: {_SUPPORTED}")
    return path.attr.lower()


def _email_filter(node: FilterNode, criteria: _Criteria) -> None:
    """The filter inside `emails[…]`: on `value` and `type`."""
    if isinstance(node, LogicalExpr) and node.op is LogicalOperator.and_:
        for term in node.terms:
            _email_filter(term, criteria)
        return
    if not isinstance(node, Comparison) or node.op is not CompareOperator.eq:
        raise _bad(_SUPPORTED)
    name = _attr(node.attr_path)
    if name == "value" and isinstance(node.value, str):
        criteria.require("email", node.value.strip().lower())
    elif name == "type" and isinstance(node.value, str):
        if node.value.lower() != WORK:
            criteria.impossible = True  # the one address kept is the work one
    else:
        raise _bad(_SUPPORTED)


def _collect(node: FilterNode, criteria: _Criteria) -> None:
    if isinstance(node, LogicalExpr) and node.op is LogicalOperator.and_:
        for term in node.terms:
            _collect(term, criteria)
        return
    if isinstance(node, ValuePath) and _attr(node.attr_path) == "emails":
        if node.sub_attr not in (None, "value"):
            raise _bad(_SUPPORTED)
        _email_filter(node.val_filter, criteria)
        return
    if not isinstance(node, Comparison) or node.op is not CompareOperator.eq:
        raise _bad(_SUPPORTED)
    name, sub = _attr(node.attr_path), (node.attr_path.sub_attr or "").lower()
    value = node.value
    if name == "emails" and sub in ("", "value") and isinstance(value, str):
        criteria.require("email", value.strip().lower())
    elif name == "active" and not sub and isinstance(value, bool):
        criteria.require("active", value)
    elif name in _FIELDS and not sub and isinstance(value, str):
        criteria.require(_FIELDS[name], value)
    else:
        raise _bad(_SUPPORTED)


def parse_filter(text: str | None) -> ScimUserQuery | None:
    """The query a filter asks for; None when it can match no user."""
    if text is None or not text.strip():
        return ScimUserQuery()
    try:
        ast = ScimFilter[ScimUserRequest](text).ast
    except SCIMException as error:
        raise _bad(f"the filter is not valid: {error.detail}") from None
    criteria = _Criteria()
    _collect(ast, criteria)
    if criteria.impossible:
        return None
    return replace(ScimUserQuery(), **criteria.values)
