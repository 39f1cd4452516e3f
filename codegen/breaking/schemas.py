"""Schemas as the gate reads them: references followed, allOf parts merged, and a nullable wrapper
(anyOf or oneOf of one schema and null) read as that schema or null."""

from typing import Any

# Bounds a value must stay within: a larger value loosens an upper bound, tightens a lower one.
UPPER = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
LOWER = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
EXACT = ("pattern", "multipleOf")
VARIANTS = ("oneOf", "anyOf")


class Unreadable(Exception):
    """The contract cannot be compared: the message says where."""


def resolve(spec: dict[str, Any], node: Any) -> Any:
    followed = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in followed:
            raise Unreadable(f"$ref {ref} does not lead to a definition within the contract")
        followed.add(ref)
        target: Any = spec
        for part in ref[2:].split("/"):
            try:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            except (KeyError, TypeError):
                raise Unreadable(f"$ref {ref} does not resolve") from None
        node = target
    return node


def ref_name(schema: Any) -> str | None:
    """The components/schemas name a bare reference (nothing beside its $ref) names."""
    if isinstance(schema, dict) and list(schema) == ["$ref"]:
        ref: str = schema["$ref"]
        if ref.startswith("#/components/schemas/"):
            return ref.rsplit("/", 1)[-1]
    return None


def named(spec: dict[str, Any], schema: Any) -> str | None:
    """The definition a schema refers to, if any, beside other keywords or wrapped as nullable:
    what a recursive schema comes back to."""
    if not isinstance(schema, dict):
        return None
    if isinstance(schema.get("$ref"), str):
        ref: str = schema["$ref"]
        return ref
    for keyword in VARIANTS:
        others = [variant for variant in schema.get(keyword, []) if not is_null(spec, variant)]
        if len(others) == 1 and len(schema[keyword]) > 1:
            return named(spec, others[0])
    return None


def flat(spec: dict[str, Any], node: Any) -> dict[str, Any]:
    """The schema with its $ref followed (keywords beside a $ref apply too, as in OpenAPI 3.1),
    its allOf parts merged into it, and a nullable wrapper unwrapped."""
    schema: dict[str, Any] = dict(node) if isinstance(node, dict) else {}
    if "$ref" in schema:
        schema = merge(flat(spec, resolve(spec, {"$ref": schema.pop("$ref")})), schema)
    for part in schema.pop("allOf", []):
        schema = merge(flat(spec, part), schema)
    for keyword in VARIANTS:
        variants = schema.get(keyword, [])
        others = [variant for variant in variants if not is_null(spec, variant)]
        if len(others) == 1 and len(variants) > 1:
            del schema[keyword]
            schema = {**merge(flat(spec, others[0]), schema), "nullable": True}
    return schema


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Both schemas at once: a value must meet the tighter bound of each."""
    merged = {**base, **over}
    for keys, tighter in ((UPPER, min), (LOWER, max)):
        for key in keys:
            if key in base and key in over:
                merged[key] = tighter(base[key], over[key])
    if "type" in base and "type" in over:
        merged["type"] = sorted(_listed(base["type"]) & _listed(over["type"]))
    if "properties" in base or "properties" in over:
        merged["properties"] = {**base.get("properties", {}), **over.get("properties", {})}
        merged["required"] = [*base.get("required", []), *over.get("required", [])]
    return merged


def is_null(spec: dict[str, Any], schema: Any) -> bool:
    node = resolve(spec, schema)
    return isinstance(node, dict) and _listed(node.get("type")) == {"null"}


def types(spec: dict[str, Any], schema: dict[str, Any]) -> set[str] | None:
    """The JSON types the (flat) schema allows; None for any."""
    found: set[str] | None
    if "type" in schema:
        found = _listed(schema["type"])
    elif "properties" in schema:
        found = {"object"}
    elif any(keyword in schema for keyword in VARIANTS):
        found = set()
        for variant in (*schema.get("oneOf", []), *schema.get("anyOf", [])):
            variant_types = types(spec, flat(spec, variant))
            if variant_types is None:
                return None
            found |= variant_types
    else:
        return None
    if schema.get("nullable"):
        found.add("null")
    return found


def within(smaller: set[str], larger: set[str]) -> bool:
    """Whether every value of types `smaller` is one of types `larger` (an integer is a number)."""
    return smaller <= larger | ({"integer"} if "number" in larger else set())


def enum(schema: dict[str, Any]) -> set[Any] | None:
    if "const" in schema:
        return {schema["const"]}
    return set(schema["enum"]) if "enum" in schema else None


def variants(spec: dict[str, Any], schema: dict[str, Any], keyword: str) -> dict[str, Any] | None:
    """The oneOf or anyOf branches but null, each by what identifies it: its discriminator value,
    else the schema it names, else its types, else its position."""
    if keyword not in schema:
        return None
    discriminator = schema.get("discriminator") or {}
    if discriminator.get("mapping"):
        name = discriminator["propertyName"]
        return {f"{name} {value}": {"$ref": ref} for value, ref in discriminator["mapping"].items()}
    named: dict[str, Any] = {}
    branches = [variant for variant in schema[keyword] if not is_null(spec, variant)]
    for number, variant in enumerate(branches, 1):
        key = ref_name(variant) or "/".join(sorted(types(spec, flat(spec, variant)) or {"any"}))
        named[f"variant {number}" if key in named else key] = variant
    return named


def show(values: set[Any]) -> str:
    return ", ".join(sorted(map(str, values)))


def _listed(declared: Any) -> set[str]:
    if declared is None:
        return set()
    return {declared} if isinstance(declared, str) else set(declared)
