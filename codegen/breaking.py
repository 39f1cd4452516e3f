"""`python -m codegen.breaking`: what a change of the contract does to the clients already using it.

Compares openapi.yaml with the last released contract (contract/released/<version>.yaml, the
highest version there) and names each change by a rule of RULES: an `error` breaks a client built
on the released contract (its SDK, its types, its requests), a `warning` may break one that
assumed too much, an `info` is survived (and goes into the changelog). Fails on any error unless
`info.version` raises the major version. The rules follow oasdiff's (its ERR and WARN levels),
for what this contract uses; each is tested on a pair of tiny contracts (tests/codegen/test_breaking.py).
"""

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

ROOT = Path(__file__).resolve().parent.parent
RELEASED = ROOT / "contract" / "released"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

Level = Literal["error", "warning", "info"]
Direction = Literal["request", "response"]


@dataclass(frozen=True)
class Rule:
    level: Level
    says: str


RULES: dict[str, Rule] = {
    "path-removed": Rule("error", "path removed"),
    "operation-removed": Rule("error", "operation removed"),
    "operation-added": Rule("info", "operation added"),
    "security-added": Rule("error", "a public operation now requires authentication"),
    "parameter-removed": Rule("error", "parameter removed"),
    "required-parameter-added": Rule("error", "required parameter added"),
    "parameter-made-required": Rule("error", "parameter made required"),
    "optional-parameter-added": Rule("info", "optional parameter added"),
    "request-body-removed": Rule("error", "request body removed"),
    "request-body-added": Rule("error", "required request body added"),
    "request-body-made-required": Rule("error", "request body made required"),
    "request-media-type-removed": Rule("error", "request media type removed"),
    "request-field-removed": Rule("error", "request field removed"),
    "required-request-field-added": Rule("error", "required request field added"),
    "request-field-made-required": Rule("error", "request field made required"),
    "optional-request-field-added": Rule("info", "optional request field added"),
    "request-constraint-tightened": Rule("error", "request constraint tightened"),
    "request-constraint-loosened": Rule("info", "request constraint loosened"),
    "request-enum-value-removed": Rule("error", "request enum value removed"),
    "request-enum-value-added": Rule("info", "request enum value added"),
    "type-changed": Rule("error", "type changed"),
    "success-status-removed": Rule("error", "success status removed"),
    "response-media-type-removed": Rule("error", "response media type removed"),
    "response-header-removed": Rule("error", "response header removed"),
    "response-field-removed": Rule("error", "response field removed"),
    "response-field-made-optional": Rule("error", "response field made optional"),
    "response-field-made-nullable": Rule("error", "response field made nullable"),
    "response-field-added": Rule("info", "response field added"),
    "response-enum-value-added": Rule("warning", "response enum value added (a client's exhaustive switch misses it)"),
    "response-variant-added": Rule("warning", "response variant added (a client's exhaustive switch misses it)"),
    "request-variant-removed": Rule("error", "request variant removed"),
    "status-added": Rule("info", "response status added"),
}

# A bound a request must stay within: a larger value loosens an upper bound, tightens a lower one.
UPPER = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
LOWER = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
EXACT = ("pattern", "multipleOf")


@dataclass(frozen=True)
class Change:
    rule_id: str
    operation: str  # "GET /v1/projects/{projectId}"
    where: str  # "response 200 application/json field items[].title"
    detail: str = ""

    @property
    def rule(self) -> Rule:
        return RULES[self.rule_id]

    def __str__(self) -> str:
        place = f" {self.where}" if self.where else ""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.rule.level} [{self.rule_id}] {self.operation}{place}: {self.rule.says}{detail}"


class Compare:
    """The changes from one contract to another."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def run(self) -> list[Change]:
        old_paths, new_paths = _paths(self.old), _paths(self.new)
        for key, (path, old_item) in old_paths.items():
            if key not in new_paths:
                self._add("path-removed", path)
                continue
            new_item = new_paths[key][1]
            for method in METHODS:
                name = f"{method.upper()} {path}"
                if method in old_item and method not in new_item:
                    self._add("operation-removed", name)
                elif method in old_item:
                    self._operation(name, old_item, new_item, method)
        for key, (path, new_item) in new_paths.items():
            old_item = old_paths.get(key, (path, {}))[1]
            for method in METHODS:
                if method in new_item and method not in old_item:
                    self._add("operation-added", f"{method.upper()} {path}")
        return self.changes

    def _add(self, rule_id: str, operation: str, where: str = "", detail: str = "") -> None:
        self.changes.append(Change(rule_id, operation, where, detail))

    def _operation(self, name: str, old_item: dict[str, Any], new_item: dict[str, Any], method: str) -> None:
        old, new = old_item[method], new_item[method]
        if _public(self.old, old) and not _public(self.new, new):
            self._add("security-added", name)
        self._parameters(name, _parameters(self.old, old_item, old), _parameters(self.new, new_item, new))
        self._request_body(name, _resolve(self.old, old.get("requestBody")), _resolve(self.new, new.get("requestBody")))
        self._responses(name, old.get("responses", {}), new.get("responses", {}))

    def _parameters(self, name: str, old: dict[tuple[str, str], Any], new: dict[tuple[str, str], Any]) -> None:
        for key, param in old.items():
            where = f"{key[0]} parameter {param['name']}"
            if key not in new:
                self._add("parameter-removed", name, where)
                continue
            if new[key].get("required") and not param.get("required"):
                self._add("parameter-made-required", name, where)
            self._schema(name, where, "request", param.get("schema", {}), new[key].get("schema", {}), set())
        for key, param in new.items():
            if key not in old:
                rule = "required-parameter-added" if param.get("required") else "optional-parameter-added"
                self._add(rule, name, f"{key[0]} parameter {param['name']}")

    def _request_body(self, name: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        if old is None:
            if new is not None and new.get("required"):
                self._add("request-body-added", name, "request body")
            return
        if new is None:
            self._add("request-body-removed", name, "request body")
            return
        if new.get("required") and not old.get("required"):
            self._add("request-body-made-required", name, "request body")
        for media, content in old.get("content", {}).items():
            where = f"request body {media}"
            if media not in new.get("content", {}):
                self._add("request-media-type-removed", name, where)
            else:
                self._schema(name, where, "request", _schema_of(content), _schema_of(new["content"][media]), set())

    def _responses(self, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for status, old_response in old.items():
            if status not in new:
                if str(status).startswith("2"):
                    self._add("success-status-removed", name, f"response {status}")
                continue
            old_r, new_r = _resolve(self.old, old_response), _resolve(self.new, new[status])
            new_headers = {header.lower() for header in new_r.get("headers", {})}
            for header in old_r.get("headers", {}):
                if header.lower() not in new_headers:
                    self._add("response-header-removed", name, f"response {status} header {header}")
            for media, content in old_r.get("content", {}).items():
                where = f"response {status} {media}"
                if media not in new_r.get("content", {}):
                    self._add("response-media-type-removed", name, where)
                else:
                    self._schema(
                        name, where, "response", _schema_of(content), _schema_of(new_r["content"][media]), set()
                    )
        for status in new:
            if status not in old:
                self._add("status-added", name, f"response {status}")

    def _schema(
        self, name: str, where: str, direction: Direction, old: Any, new: Any, seen: set[tuple[str, str]]
    ) -> None:
        # A recursive schema is compared once per pair of definitions.
        refs = (str(old.get("$ref")), str(new.get("$ref")))
        if refs in seen:
            return
        seen = seen | {refs} if "$ref" in old or "$ref" in new else seen
        old, new = _flat(self.old, old), _flat(self.new, new)
        self._types(name, where, direction, old, new)
        if direction == "request":
            self._constraints(name, where, old, new)
        self._enum(name, where, direction, old, new)
        self._variants(name, where, direction, old, new, seen)
        self._properties(name, where, direction, old, new, seen)
        if "items" in old and "items" in new:
            self._schema(name, f"{where}[]", direction, old["items"], new["items"], seen)
        # JSON inside a string: an event's data.
        if "contentSchema" in old and "contentSchema" in new:
            self._schema(name, where, direction, old["contentSchema"], new["contentSchema"], seen)

    def _types(self, name: str, where: str, direction: Direction, old: dict[str, Any], new: dict[str, Any]) -> None:
        old_types, new_types = _types(old), _types(new)
        if old_types and new_types and old_types - {"null"} != new_types - {"null"}:
            widened = _within(old_types, new_types) if direction == "request" else _within(new_types, old_types)
            if not widened:
                self._add("type-changed", name, where, f"{_show(old_types)} → {_show(new_types)}")
        format_old, format_new = old.get("format"), new.get("format")
        if format_old != format_new and (format_new if direction == "request" else format_old):
            self._add("type-changed", name, where, f"format {format_old} → {format_new}")
        if direction == "request" and "null" in old_types and "null" not in new_types:
            self._add("request-constraint-tightened", name, where, "null no longer accepted")
        if direction == "response" and "null" in new_types and "null" not in old_types:
            self._add("response-field-made-nullable", name, where)

    def _constraints(self, name: str, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for key in (*UPPER, *LOWER, *EXACT):
            before, after = old.get(key), new.get(key)
            if before == after:
                continue
            if after is None:
                tightened = False
            elif before is None:
                tightened = True
            else:
                tightened = after < before if key in UPPER else after > before if key in LOWER else True
            rule = "request-constraint-tightened" if tightened else "request-constraint-loosened"
            self._add(rule, name, where, f"{key} {before} → {after}")
        if new.get("additionalProperties") is False and old.get("additionalProperties") is not False:
            self._add("request-constraint-tightened", name, where, "additional fields no longer accepted")

    def _enum(self, name: str, where: str, direction: Direction, old: dict[str, Any], new: dict[str, Any]) -> None:
        old_values, new_values = _enum(old), _enum(new)
        if old_values is None or new_values is None:
            if direction == "request" and old_values is None and new_values is not None:
                self._add("request-constraint-tightened", name, where, f"now one of {_show(new_values)}")
            return
        for value in old_values - new_values:
            if direction == "request":
                self._add("request-enum-value-removed", name, where, repr(value))
        for value in new_values - old_values:
            rule = "request-enum-value-added" if direction == "request" else "response-enum-value-added"
            self._add(rule, name, where, repr(value))

    def _variants(
        self,
        name: str,
        where: str,
        direction: Direction,
        old: dict[str, Any],
        new: dict[str, Any],
        seen: set[tuple[str, str]],
    ) -> None:
        for keyword in ("oneOf", "anyOf"):
            old_variants, new_variants = _variants(old.get(keyword, [])), _variants(new.get(keyword, []))
            for key, variant in old_variants.items():
                if key in new_variants:
                    self._schema(name, f"{where} ({key})", direction, variant, new_variants[key], seen)
                elif direction == "request":
                    self._add("request-variant-removed", name, where, key)
            for key in new_variants.keys() - old_variants.keys():
                if direction == "response":
                    self._add("response-variant-added", name, where, key)

    def _properties(
        self,
        name: str,
        where: str,
        direction: Direction,
        old: dict[str, Any],
        new: dict[str, Any],
        seen: set[tuple[str, str]],
    ) -> None:
        # What a request never carries (readOnly), an answer never holds (writeOnly).
        hidden = "readOnly" if direction == "request" else "writeOnly"
        old_props = {k: v for k, v in old.get("properties", {}).items() if not _flat(self.old, v).get(hidden)}
        new_props = {k: v for k, v in new.get("properties", {}).items() if not _flat(self.new, v).get(hidden)}
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        for field, schema in old_props.items():
            at = f"{where} field {field}" if " field " not in where else f"{where}.{field}"
            if field not in new_props:
                self._add(f"{direction}-field-removed", name, at)
                continue
            if direction == "request" and field in new_required - old_required:
                self._add("request-field-made-required", name, at)
            if direction == "response" and field in old_required - new_required:
                self._add("response-field-made-optional", name, at)
            self._schema(name, at, direction, schema, new_props[field], seen)
        for field in new_props.keys() - old_props.keys():
            at = f"{where} field {field}" if " field " not in where else f"{where}.{field}"
            if direction == "response":
                self._add("response-field-added", name, at)
            elif field in new_required:
                self._add("required-request-field-added", name, at)
            else:
                self._add("optional-request-field-added", name, at)


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _flat(spec: dict[str, Any], node: Any) -> dict[str, Any]:
    """The schema with its $ref followed and its allOf parts merged into it (beside a $ref, as
    OpenAPI 3.1 allows, its own keywords apply too: a `maxLength` there bounds the field)."""
    schema: dict[str, Any] = dict(node or {})
    if "$ref" in schema:
        schema = _merge(_flat(spec, _resolve(spec, {"$ref": schema.pop("$ref")})), schema)
    for part in schema.pop("allOf", []):
        schema = _merge(_flat(spec, part), schema)
    return schema


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **over}
    if "properties" in base or "properties" in over:
        merged["properties"] = {**base.get("properties", {}), **over.get("properties", {})}
        merged["required"] = [*base.get("required", []), *over.get("required", [])]
    return merged


def _paths(spec: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Paths by their shape: renaming `{id}` to `{projectId}` changes no client."""
    paths: dict[str, Any] = spec.get("paths") or {}
    return {_shape(path): (path, _resolve(spec, item)) for path, item in paths.items()}


def _shape(path: str) -> str:
    parts = path.split("/")
    return "/".join("{}" if part.startswith("{") else part for part in parts)


def _parameters(spec: dict[str, Any], item: dict[str, Any], operation: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """An operation's parameters (its path's too) by where they go and their name; a header's in
    any letter case."""
    found = {}
    for param in (*item.get("parameters", []), *operation.get("parameters", [])):
        param = _resolve(spec, param)
        found[(param["in"], param["name"].lower() if param["in"] == "header" else param["name"])] = param
    return found


def _public(spec: dict[str, Any], operation: dict[str, Any]) -> bool:
    security = operation.get("security", spec.get("security", []))
    return not security or {} in security


def _schema_of(content: dict[str, Any]) -> Any:
    return content.get("schema", content.get("itemSchema", {}))


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    types = set() if declared is None else {declared} if isinstance(declared, str) else set(declared)
    if not types and "properties" in schema:
        types = {"object"}
    if schema.get("nullable"):
        types.add("null")
    for variant in (*schema.get("oneOf", []), *schema.get("anyOf", [])):
        if variant.get("type") == "null":
            types.add("null")
    return types


def _within(smaller: set[str], larger: set[str]) -> bool:
    widened = larger | ({"integer"} if "number" in larger else set())
    return smaller - {"null"} <= widened


def _enum(schema: dict[str, Any]) -> set[Any] | None:
    if "const" in schema:
        return {schema["const"]}
    return set(schema["enum"]) if "enum" in schema else None


def _variants(variants: list[Any]) -> dict[str, Any]:
    """oneOf/anyOf branches by the definition they name (else their position); `null` apart."""
    named = {}
    for number, variant in enumerate(variants):
        if variant.get("type") != "null":
            named[variant["$ref"].rsplit("/", 1)[-1] if "$ref" in variant else f"variant {number + 1}"] = variant
    return named


def _show(values: set[Any]) -> str:
    return ", ".join(sorted(map(str, values)))


def major(version: str) -> int:
    return int(version.split(".", 1)[0])


def last_released(folder: Path = RELEASED) -> Path:
    """The released contract of the highest version."""
    return max(folder.glob("*.yaml"), key=lambda path: tuple(int(part) for part in path.stem.split(".")))


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    return Compare(old, new).run()


def breaks(old: dict[str, Any], new: dict[str, Any], changes: list[Change]) -> bool:
    """Whether the errors among `changes` stop the contract: unless its major version was raised."""
    errors = any(change.rule.level == "error" for change in changes)
    return errors and major(new["info"]["version"]) <= major(old["info"]["version"])


def report(changes: list[Change]) -> Iterator[str]:
    order = {"error": 0, "warning": 1, "info": 2}
    yield from (str(change) for change in sorted(changes, key=lambda change: order[change.rule.level]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base", type=Path, help="the released contract (default: the last in contract/released/)")
    parser.add_argument("contract", type=Path, nargs="?", default=ROOT / "openapi.yaml")
    args = parser.parse_args(argv)
    base = args.base or last_released()
    old, new = load(base), load(args.contract)
    changes = compare(old, new)
    for line in report(changes):
        print(line)
    name = f"{args.contract.name} {new['info']['version']}"
    since = f"the released {old['info']['version']} ({base.name})"
    if breaks(old, new, changes):
        print(f"{name} breaks clients of {since}: undo the errors above, or raise info.version's major version")
        return 1
    if any(change.rule.level == "error" for change in changes):
        print(f"{name} is a new major version: clients of {since} need changes")
    else:
        print(f"{name} keeps clients of {since} working")
    return 0


if __name__ == "__main__":
    sys.exit(main())
