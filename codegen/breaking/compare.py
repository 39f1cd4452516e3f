"""The changes from one contract to the next, by the rules of rules.py."""

from typing import Any, Literal

from codegen.breaking import schemas
from codegen.breaking.rules import Change
from codegen.breaking.schemas import EXACT, LOWER, UPPER, flat, ref_name, resolve, show

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
Direction = Literal["request", "response"]
Spec = dict[str, Any]
# The pairs of schemas (by name) being compared, outermost first.
Seen = frozenset[tuple[str | None, str | None]]
# How each kind of parameter is serialized unless it says otherwise.
DEFAULT_STYLE = {
    "query": ("form", True),
    "path": ("simple", False),
    "header": ("simple", False),
    "cookie": ("form", True),
}


class Compare:
    def __init__(self, old: Spec, new: Spec) -> None:
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
                if method in old_item and method not in new_item:
                    self._add("operation-removed", f"{method.upper()} {path}")
                elif method in old_item:
                    self._operation(f"{method.upper()} {path}", old_item, new_item, method)
        for key, (path, new_item) in new_paths.items():
            old_item = old_paths.get(key, (path, {}))[1]
            for method in METHODS:
                if method in new_item and method not in old_item:
                    self._add("operation-added", f"{method.upper()} {path}")
        self._webhooks(self.old.get("webhooks") or {}, self.new.get("webhooks") or {})
        return self.changes

    def _webhooks(self, old: Spec, new: Spec) -> None:
        """A webhook's receivers read its payload and headers as a client reads an answer."""
        for key, raw in old.items():
            name = f"webhook {key}"
            old_op, new_op = resolve(self.old, raw).get("post"), resolve(self.new, new.get(key, {})).get("post")
            if old_op is None:
                continue
            if new_op is None:
                self._add("webhook-removed", name)
                continue
            headers = {k: v for k, v in _parameters(self.new, {}, new_op).items() if k[0] == "header"}
            for where_name in _parameters(self.old, {}, old_op).keys() - headers.keys():
                if where_name[0] == "header":
                    self._add("response-header-removed", name, f"header {where_name[1]}")
            old_body = resolve(self.old, old_op.get("requestBody")) or {}
            new_body = resolve(self.new, new_op.get("requestBody")) or {}
            for media, content in (old_body.get("content") or {}).items():
                if media not in (new_body.get("content") or {}):
                    self._add("response-media-type-removed", name, f"payload {media}")
                else:
                    after = _schema_of(new_body["content"][media])
                    self._schema(name, f"payload {media}", "", "response", _schema_of(content), after, frozenset())
        for key in new.keys() - old.keys():
            self._add("webhook-added", f"webhook {key}")

    def _add(self, rule_id: str, operation: str, where: str = "", detail: str = "", place: str = "") -> None:
        self.changes.append(Change(rule_id, operation, where, detail, place))

    def _operation(self, name: str, old_item: Spec, new_item: Spec, method: str) -> None:
        old, new = old_item[method], new_item[method]
        renamed = (
            ("operation-id-changed", old.get("operationId"), new.get("operationId")),
            ("operation-tag-changed", (old.get("tags") or [None])[0], (new.get("tags") or [None])[0]),
        )
        for rule, before, after in renamed:
            if before != after:
                self._add(rule, name, detail=f"{before} → {after}")
        if new.get("deprecated") and not old.get("deprecated"):
            self._add("operation-deprecated", name)
        self._security(name, old, new)
        self._parameters(name, _parameters(self.old, old_item, old), _parameters(self.new, new_item, new))
        self._request_body(name, resolve(self.old, old.get("requestBody")), resolve(self.new, new.get("requestBody")))
        self._responses(name, old.get("responses") or {}, new.get("responses") or {})

    def _security(self, name: str, old: Spec, new: Spec) -> None:
        before, after = _security(self.old, old), _security(self.new, new)
        if frozenset() in before:
            if frozenset() not in after:
                self._add("security-added", name)
            return
        # A client meeting one of the old requirements must meet one of the new.
        place = "security" if "security" not in old and "security" not in new else ""  # the contract's own
        for requirement in before:
            if not any(alternative <= requirement for alternative in after):
                detail = " and ".join(sorted(requirement))
                self._add("security-alternative-removed", name, detail=detail, place=place)

    def _parameters(self, name: str, old: dict[tuple[str, str], Any], new: dict[tuple[str, str], Any]) -> None:
        for key, raw in old.items():
            param = resolve(self.old, raw)
            where = f"{key[0]} parameter {param['name']}"
            if key not in new:
                self._add("parameter-removed", name, where)
                continue
            after, place = resolve(self.new, new[key]), _shared(raw, new[key])
            if after.get("required") and not param.get("required"):
                self._add("parameter-made-required", name, where, "", place)
            elif param.get("required") and not after.get("required"):
                self._add("parameter-made-optional", name, where, "", place)
            if _style(param) != _style(after):
                self._add("parameter-style-changed", name, where, f"{_style(param)} → {_style(after)}", place)
            self._schema(name, where, place, "request", param.get("schema"), after.get("schema"), frozenset())
        for key, raw in new.items():
            if key not in old:
                param = resolve(self.new, raw)
                rule = "required-parameter-added" if param.get("required") else "optional-parameter-added"
                self._add(rule, name, f"{key[0]} parameter {param['name']}")

    def _request_body(self, name: str, old: Spec | None, new: Spec | None) -> None:
        if old is None:
            if new is not None:
                self._add("request-body-added" if new.get("required") else "optional-request-body-added", name)
            return
        if new is None:
            self._add("request-body-removed", name)
            return
        if new.get("required") and not old.get("required"):
            self._add("request-body-made-required", name)
        elif old.get("required") and not new.get("required"):
            self._add("request-body-made-optional", name)
        for media, content in (old.get("content") or {}).items():
            where = f"request body {media}"
            if media not in (new.get("content") or {}):
                self._add("request-media-type-removed", name, where)
            else:
                self._schema(
                    name, where, "", "request", _schema_of(content), _schema_of(new["content"][media]), frozenset()
                )

    def _responses(self, name: str, old: Spec, new: Spec) -> None:
        # `200:` unquoted is the integer 200 to YAML.
        old, new = {str(k): v for k, v in old.items()}, {str(k): v for k, v in new.items()}
        for status, old_response in old.items():
            where = f"response {status}"
            if status not in new:
                if status.startswith("2"):
                    self._add("success-status-removed", name, where)
                continue
            old_r, new_r = resolve(self.old, old_response), resolve(self.new, new[status])
            self._headers(name, where, old_r.get("headers") or {}, new_r.get("headers") or {})
            for media, content in (old_r.get("content") or {}).items():
                if media not in (new_r.get("content") or {}):
                    self._add("response-media-type-removed", name, f"{where} {media}")
                else:
                    old_schema, new_schema = _schema_of(content), _schema_of(new_r["content"][media])
                    self._schema(name, f"{where} {media}", "", "response", old_schema, new_schema, frozenset())
        for status in new.keys() - old.keys():
            self._add("status-added", name, f"response {status}")

    def _headers(self, name: str, where: str, old: Spec, new: Spec) -> None:
        new_headers = {header.lower(): value for header, value in new.items()}
        for header, raw in old.items():
            at = f"{where} header {header}"
            if header.lower() not in new_headers:
                self._add("response-header-removed", name, at)
                continue
            place = _shared(raw, new_headers[header.lower()])
            before, after = resolve(self.old, raw), resolve(self.new, new_headers[header.lower()])
            if before.get("required") and not after.get("required"):
                self._add("response-header-made-optional", name, at, "", place)
            self._schema(name, at, place, "response", before.get("schema"), after.get("schema"), frozenset())

    def _schema(self, name: str, where: str, place: str, direction: Direction, old: Any, new: Any, seen: Seen) -> None:
        """Compares two schemas at `where` in operation `name`; `place` is where that is within a
        schema of components/schemas, when it is within one."""
        if ref_name(old) is not None and ref_name(old) == ref_name(new):
            place = ref_name(old) or ""
        # A recursive schema is compared once per pair of definitions.
        pair = (schemas.named(self.old, old), schemas.named(self.new, new))
        if pair != (None, None):
            if pair in seen:
                return
            seen = seen | {pair}
        old, new = flat(self.old, old), flat(self.new, new)
        at = (name, where, place, direction)
        if self._types(*at, old, new):
            return  # what was inside is another thing now
        if direction == "request":
            self._constraints(*at, old, new)
        self._enum(*at, old, new)
        for keyword in schemas.VARIANTS:
            self._variants(*at, keyword, old, new, seen)
        self._properties(*at, old, new, seen)
        if "items" in old and "items" in new:
            self._schema(name, f"{where}[]", place and f"{place}[]", direction, old["items"], new["items"], seen)
        # JSON inside a string: an event's data.
        if "contentSchema" in old and "contentSchema" in new:
            self._schema(name, where, place, direction, old["contentSchema"], new["contentSchema"], seen)
        elif "contentSchema" in old and direction == "response":
            self._add("type-changed", name, where, "its JSON content no longer described", place)

    def _types(self, name: str, where: str, place: str, direction: Direction, old: Spec, new: Spec) -> bool:
        """Reports a change of type; whether there was one."""
        before, after = schemas.types(self.old, old), schemas.types(self.new, new)
        # Clients send what the old contract allowed and must have it accepted; they read what the
        # new one allows and must be ready for it.
        sent, accepted = (before, after) if direction == "request" else (after, before)
        if accepted is not None and (sent is None or not schemas.within(sent - {"null"}, accepted)):
            old_types, new_types = show(before or {"any"}), show(after or {"any"})
            self._add("type-changed", name, where, f"{old_types} → {new_types}", place)
            return True
        if direction == "request" and before and after and "null" in before and "null" not in after:
            self._add("request-constraint-tightened", name, where, "null no longer accepted", place)
        if direction == "response" and after and "null" in after and before and "null" not in before:
            self._add("response-field-made-nullable", name, where, "", place)
        format_before, format_after = old.get("format"), new.get("format")
        if format_before != format_after and (format_after if direction == "request" else format_before):
            self._add("type-changed", name, where, f"format {format_before} → {format_after}", place)
        return False

    def _constraints(self, name: str, where: str, place: str, direction: Direction, old: Spec, new: Spec) -> None:
        for key in (*UPPER, *LOWER, *EXACT):
            before, after = old.get(key), new.get(key)
            if before == after:
                continue
            if after is None or before is None:
                tightened = before is None
            elif key in UPPER:
                tightened = after < before
            else:
                tightened = after > before if key in LOWER else True
            rule = "request-constraint-tightened" if tightened else "request-constraint-loosened"
            self._add(rule, name, where, f"{key} {before} → {after}", place)
        if new.get("additionalProperties") is False and old.get("additionalProperties") is not False:
            self._add("request-constraint-tightened", name, where, "additional fields no longer accepted", place)

    def _enum(self, name: str, where: str, place: str, direction: Direction, old: Spec, new: Spec) -> None:
        before, after = schemas.enum(old), schemas.enum(new)
        if before == after:
            return
        if before is None:  # an enum where there was none
            if direction == "request":
                self._add("request-constraint-tightened", name, where, f"now one of {show(after or set())}", place)
        elif after is None:  # no enum where there was one
            rule = "request-constraint-loosened" if direction == "request" else "response-enum-value-added"
            self._add(rule, name, where, "no longer an enum", place)
        elif direction == "request":
            for value in before - after:
                self._add("request-enum-value-removed", name, where, repr(value), place)
            for value in after - before:
                self._add("request-enum-value-added", name, where, repr(value), place)
        else:
            for value in after - before:
                self._add("response-enum-value-added", name, where, repr(value), place)

    def _variants(
        self, name: str, where: str, place: str, direction: Direction, keyword: str, old: Spec, new: Spec, seen: Seen
    ) -> None:
        before, after = schemas.variants(self.old, old, keyword), schemas.variants(self.new, new, keyword)
        if before is None or after is None:
            return  # the types compared say what changed
        for key, variant in before.items():
            if key in after:
                inner = place and f"{place} ({key})"
                self._schema(name, f"{where} ({key})", inner, direction, variant, after[key], seen)
            elif direction == "request":
                self._add("request-variant-removed", name, where, key, place)
        for key in after.keys() - before.keys() if direction == "response" else ():
            self._add("response-variant-added", name, where, key, place)

    def _properties(
        self, name: str, where: str, place: str, direction: Direction, old: Spec, new: Spec, seen: Seen
    ) -> None:
        # What a request never carries (readOnly), an answer never holds (writeOnly).
        hidden = "readOnly" if direction == "request" else "writeOnly"
        before = {k: v for k, v in (old.get("properties") or {}).items() if not flat(self.old, v).get(hidden)}
        after = {k: v for k, v in (new.get("properties") or {}).items() if not flat(self.new, v).get(hidden)}
        required_before, required_after = set(old.get("required", [])), set(new.get("required", []))
        for field, schema in before.items():
            at, inner = _field(where, field), place and _field(place, field)
            if field not in after:
                self._add(f"{direction}-field-removed", name, at, "", inner)
                continue
            if field in required_after - required_before and direction == "request":
                self._add("request-field-made-required", name, at, "", inner)
            elif field in required_before - required_after:
                rule = "request-field-made-optional" if direction == "request" else "response-field-made-optional"
                self._add(rule, name, at, "", inner)
            self._schema(name, at, inner, direction, schema, after[field], seen)
        for field in after.keys() - before.keys():
            at, inner = _field(where, field), place and _field(place, field)
            if direction == "response":
                self._add("response-field-added", name, at, "", inner)
            else:
                rule = "required-request-field-added" if field in required_after else "optional-request-field-added"
                self._add(rule, name, at, "", inner)


def _field(where: str, field: str) -> str:
    return f"{where}.{field}" if " field " in where else f"{where} field {field}"


def _paths(spec: Spec) -> dict[str, tuple[str, Spec]]:
    """Paths by their shape: a renamed path parameter is compared as a parameter."""
    paths: Spec = spec.get("paths") or {}
    shape = {path: "/".join("{}" if part.startswith("{") else part for part in path.split("/")) for path in paths}
    return {shape[path]: (path, resolve(spec, item)) for path, item in paths.items()}


def _parameters(spec: Spec, item: Spec, operation: Spec) -> dict[tuple[str, str], Any]:
    """An operation's parameters (its path's too), as written, by where they go and their name, a
    header's in any letter case."""
    found = {}
    for raw in (*item.get("parameters", []), *operation.get("parameters", [])):
        param = resolve(spec, raw)
        found[(param["in"], param["name"].lower() if param["in"] == "header" else param["name"])] = raw
    return found


def _shared(old: Any, new: Any) -> str:
    """The component both refer to ("components/parameters/Limit"), where they refer to the same."""
    ref = old.get("$ref", "") if isinstance(old, dict) else ""
    return ref.removeprefix("#/") if ref and isinstance(new, dict) and new.get("$ref") == ref else ""


def _style(param: Spec) -> str:
    style, explode = DEFAULT_STYLE[param["in"]]
    style = param.get("style", style)
    explode = param.get("explode", style == "form" if "style" in param else explode)
    return f"{style}, exploded" if explode else style


def _security(spec: Spec, operation: Spec) -> set[frozenset[str]]:
    """The ways of authenticating an operation accepts, each a set of schemes by what they ask
    (not by their name in the contract); an empty set for none."""
    defined = (spec.get("components") or {}).get("securitySchemes") or {}
    ways = set()
    for requirement in operation.get("security", spec.get("security")) or [{}]:
        schemes = set()
        for scheme_name in requirement:
            scheme = resolve(spec, defined.get(scheme_name, {}))
            asks = (scheme.get("type"), scheme.get("in"), scheme.get("name"), str(scheme.get("scheme", "")).lower())
            schemes.add(" ".join(str(part) for part in asks if part))
        ways.add(frozenset(schemes))
    return ways


def _schema_of(content: Spec) -> Any:
    return content.get("schema", content.get("itemSchema", {}))
