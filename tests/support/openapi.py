"""Check real responses against the generated OpenAPI document.

`Stack.client()` and the authentication tests' `Agent` run `CONFORMANCE.check` on every
response, so every API test doubles as a test that the documents tell the truth: a documented
operation answering a status it does not declare, or a body that does not match the declared
schema (or carries a field the schema does not name), fails the test that made the call.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import httpx
from jsonschema import Draft202012Validator

from mfadesk.api.openapi import AUTHN_API, build_document


def _strict(schema: Any) -> Any:
    """The schema with ``additionalProperties: false`` on every object that lists properties:
    replies are exact, so a field the document does not name is a drift too."""
    if isinstance(schema, dict):
        strict = {key: _strict(value) for key, value in schema.items()}
        if "properties" in strict and "additionalProperties" not in strict:
            strict["additionalProperties"] = False
        return strict
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


class Conformance:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._components = _strict(copy.deepcopy(document["components"]))
        self._validators: dict[tuple[str, str, str], Draft202012Validator | None] = {}
        self._paths = [
            (re.compile("^" + re.sub(r"{\w+}", "[^/]+", template) + "$"), template)
            for template in document["paths"]
        ]

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for pattern, template in self._paths:
            if pattern.match(path):
                found = self.document["paths"][template].get(method.lower())
                return None if found is None else (template, found)
        return None

    def validator(self, template: str, method: str, status: str) -> Draft202012Validator | None:
        key = (template, method.lower(), status)
        if key not in self._validators:
            response = self.document["paths"][template][key[1]]["responses"][status]
            content = response.get("content")
            validator = None
            if content is not None:
                # Refs are "#/components/schemas/…": the root schema carries the components.
                schema = _strict(content["application/json"]["schema"])
                validator = Draft202012Validator({**schema, "components": self._components})
            self._validators[key] = validator
        return self._validators[key]

    def check(self, response: httpx.Response) -> None:
        request = response.request
        found = self.operation(request.method, request.url.path)
        if found is None:
            return
        template, operation = found
        status = str(response.status_code)
        where = f"{request.method} {template}"
        assert status in operation["responses"], f"{where} answered {status}, not documented"
        validator = self.validator(template, request.method, status)
        response.read()
        if validator is None:
            return
        assert response.headers["content-type"].startswith("application/json"), where
        errors = sorted(validator.iter_errors(response.json()), key=str)
        assert not errors, f"{where} {status} body does not match the document: {errors[0]}"


def _both_apis() -> dict[str, Any]:
    """The admin document with the authentication API's paths and schemas added (the two share
    their error bodies, by name and by schema)."""
    admin, authn = build_document(), build_document(AUTHN_API)
    schemas = admin["components"]["schemas"]
    for name, schema in authn["components"]["schemas"].items():
        assert schemas.setdefault(name, schema) == schema, f"two schemas named {name}"
    return {**admin, "paths": {**admin["paths"], **authn["paths"]}}


CONFORMANCE = Conformance(_both_apis())
