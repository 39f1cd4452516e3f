"""The contract as the TypeScript SDK's validators read it (codegen/typescript_validators.mjs): the
schemas only, checked as the service checks a request."""

from typing import Any

# The service checks these formats by the schema's pattern and bounds (pyproject.toml's
# `type-mappings`, pydantic's int): zod's own email check refuses addresses the contract accepts,
# and its int64 is a BigInt where the SDK's types and JSON have numbers.
CHECKED_OTHERWISE = {"email", "int64"}
# Marks of one direction: a form validates what is sent, a password included.
DIRECTIONAL = {"readOnly", "writeOnly"}


def view(spec: dict[str, Any]) -> dict[str, Any]:
    schemas = _checked_as_the_service_does(spec.get("components", {}).get("schemas", {}))
    return {"openapi": spec["openapi"], "info": spec["info"], "paths": {}, "components": {"schemas": schemas}}


def _checked_as_the_service_does(node: Any) -> Any:
    if isinstance(node, list):
        return [_checked_as_the_service_does(item) for item in node]
    if not isinstance(node, dict):
        return node
    # A keyword's value is of its own type: a property named `format` holds a schema, not a string.
    return {
        key: _checked_as_the_service_does(value)
        for key, value in node.items()
        if not (key in DIRECTIONAL and isinstance(value, bool))
        and not (key == "format" and isinstance(value, str) and value in CHECKED_OTHERWISE)
    }
