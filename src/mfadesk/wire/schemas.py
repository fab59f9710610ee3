"""JSON schemas of the fields the domain validates itself (declared `Any` on the wire).

The OpenAPI document states what a client may send, so that a request it calls valid is never
refused as malformed; the spellings the server tolerates beyond it (any case, a number sent as
a string) are named in the field's description.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JsonSchema = dict[str, Any]

BOOLEAN_OR_TEXT: JsonSchema = {
    "anyOf": [{"type": "boolean"}, {"type": "string", "enum": ["true", "false"]}]
}


def replaced_by(schema: JsonSchema) -> Callable[[JsonSchema], None]:
    """For ``Field(json_schema_extra=...)``: the field's schema is `schema` (and its
    description); no default is shown, since absent means what the field's doc says."""

    def apply(generated: JsonSchema) -> None:
        kept: JsonSchema = {k: generated[k] for k in ("title", "description") if k in generated}
        generated.clear()
        generated.update(kept)
        generated.update(schema)

    return apply
