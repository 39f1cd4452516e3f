"""Reads the contract into plain operation descriptions, enforcing the house rules (rules.py)."""

import datetime
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from codegen.rules import ContractError, Finding, pointer

__all__ = ["ContractError", "Header", "Operation", "Param", "Webhook", "load", "operations", "read", "snake_case"]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
SUPPORTED_METHODS = ("get", "put", "post", "delete", "patch")
PARAM_TYPES = ("integer", "string", "boolean")
SHARED_RESPONSE = "#/components/responses/"
SCHEMAS = "#/components/schemas/"
PROBLEM_JSON = "application/problem+json"
FORM = "multipart/form-data"
EVENT_STREAM = "text/event-stream"


# 400 malformed JSON, 408 body too slow, 413 too large, 415 not JSON, 422 not the schema.
BODY_ERRORS = frozenset({400, 408, 413, 415, 422})
# Headers the service sets on every answer, whatever produced it: every response documents them,
# and no handler returns them.
EVERY_ANSWER = ("Cache-Control", "X-Content-Type-Options", "X-Request-ID")
# Taken by the service around every route (service/kit/observe.py): every operation documents it,
# and no route or handler sees it.
REQUEST_ID = "x-request-id"
# Names the generated handlers and routes use themselves (stubs.py): a parameter is renamed away from them.
TAKEN = frozenset({"self", "body", "request", "response", "request_context", "result", "handlers", "context", "api"})
TAKEN |= frozenset({"models", "parse_body", "joined", "precondition_required", "etag_matches"})
TAKEN |= frozenset({"event_stream", "file_response"})


@dataclass(frozen=True)
class Param:
    name: str  # wire name
    location: str  # path, query or header
    required: bool
    schema: dict[str, Any]
    description: str = ""
    py_name: str = ""


@dataclass(frozen=True)
class Part:
    """A part of a multipart/form-data body: a file, or a field read from its text as a query
    parameter is."""

    name: str
    required: bool
    schema: dict[str, Any]
    file: bool

    @property
    def py_name(self) -> str:
        # A name with a leading underscore would be private to Pydantic.
        py = python_name(self.name, frozenset({"model_config"}))
        return "part" + py if py.startswith("_") else py


@dataclass(frozen=True)
class Header:
    name: str
    required: bool

    @property
    def py_name(self) -> str:
        return python_name(self.name, frozenset({"body", "status_code"}))


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    tag: str
    summary: str
    security: tuple[str, ...]  # scheme names; empty for a public operation
    # Query parameters that carry a credential of one of its schemes (an apiKey `in: query`).
    credential_params: tuple[str, ...]
    params: tuple[Param, ...]
    body_model: str | None
    body_media_types: tuple[str, ...]
    # The parts of a multipart/form-data body, in the schema's order; empty for a JSON body.
    form: tuple[Part, ...]
    success_statuses: tuple[int, ...]
    # The models of the 2xx bodies (one per schema, in status order); empty when they have none.
    success_models: tuple[str, ...]
    success_headers: tuple[Header, ...]
    # Counted against the caller's rate limit: all but those the contract opts out (`x-rate-limited: false`).
    limited: bool = True
    # 304 is documented: the route answers it itself when If-None-Match names the returned ETag.
    not_modified: bool = False
    # The success is a text/event-stream: the handler returns the events, the route streams them.
    streams: bool = False
    # The success is a file (media types other than JSON): the handler names it, the route sends it.
    downloads: bool = False
    # A file of bytes (`format: binary`), not text: the SDKs read it as bytes (a Blob, a File).
    binary: bool = False
    errors: dict[int, str] = field(default_factory=dict)  # status -> description
    # status -> the name of the shared response (components/responses) it refers to, where it does
    shared_errors: dict[int, str] = field(default_factory=dict)

    @property
    def py_name(self) -> str:
        return python_name(self.operation_id)

    @property
    def success_status(self) -> int:
        return self.success_statuses[0]

    @property
    def success_type(self) -> str | None:
        """The 2xx body's type in the generated code ("models.Member | models.Invitation"), if any."""
        return " | ".join(f"models.{model}" for model in self.success_models) or None

    @property
    def handler_params(self) -> tuple[Param, ...]:
        """The parameters the handler receives; the route itself consumes If-None-Match."""
        if not self.not_modified:
            return self.params
        return tuple(p for p in self.params if p.name.lower() != "if-none-match")


@dataclass(frozen=True)
class Webhook:
    """A request Taskboard sends to its subscribers' URLs: one of the contract's top-level `webhooks`."""

    name: str  # the contract's key ("task.created")
    operation_id: str
    summary: str
    payload: str  # the model of its JSON body

    @property
    def py_name(self) -> str:
        return python_name(self.operation_id)


def snake_case(name: str) -> str:
    name = re.sub(r"[^0-9a-zA-Z]+", "_", name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return name.strip("_").lower()


def python_name(name: str, taken: frozenset[str] = frozenset()) -> str:
    """`name` in snake_case, made a Python identifier that shadows nothing: `from` and `body` become
    `from_` and `body_`, `2fa` becomes `_2fa`."""
    py = snake_case(name) or "_"
    if py[0].isdigit():
        py = "_" + py
    if keyword.iskeyword(py) or py in taken:
        py += "_"
    return py


def load(path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(path.read_text())
    return spec


def operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation of the contract, in the contract's order."""
    return read(spec)[0]


def read(spec: dict[str, Any]) -> tuple[list[Operation], list[Webhook]]:
    """Every operation and webhook of the contract, in the contract's order; a ContractError names
    every house rule the contract breaks."""
    findings: list[Finding] = []
    resolver = _Resolver(spec, findings)
    global_security = _scheme_names(spec.get("security", []))
    schemes = spec.get("components", {}).get("securitySchemes", {})
    for name in spec.get("components", {}).get("schemas", {}):
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):
            findings.append(
                Finding(
                    "schema-name",
                    f"schema {name}",
                    "schema names must be PascalCase letters and digits",
                    pointer("components", "schemas", name),
                )
            )
    found: list[Operation] = []
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                reader = _OperationReader(resolver, findings, path, method, item)
                if (op := reader.read(global_security, schemes)) is not None:
                    found.append(op)
    _unique_names(found, findings, "operationId", lambda op: op.py_name, lambda op: op.operation_id)
    tags = {op.tag: op for op in found}.values()
    _unique_names(list(tags), findings, "tag", lambda op: python_name(op.tag), lambda op: op.tag)
    hooks = [hook for name, item in spec.get("webhooks", {}).items() if (hook := _webhook(resolver, name, item))]
    seen: dict[str, Webhook] = {}
    for hook in hooks:
        if (other := seen.setdefault(hook.py_name, hook)) is not hook:
            message = f"operationId {hook.operation_id!r} and {other.operation_id!r} are both {hook.py_name} in Python"
            findings.append(Finding("names", f"webhook {hook.name}", message, pointer("webhooks", hook.name)))
    if findings:
        raise ContractError(findings)
    return found, hooks


def _webhook(resolver: "_Resolver", name: str, item: dict[str, Any]) -> Webhook | None:
    """One webhook: a POST with a required JSON body of a named schema, and the 2xx its receiver answers."""
    count, item = len(resolver.findings), resolver.resolve(item)

    def report(rule: str, message: str, *at: object) -> None:
        resolver.findings.append(Finding(rule, f"webhook {name}", message, pointer("webhooks", name, *at)))

    if [method for method in HTTP_METHODS if method in item] != ["post"]:
        report("webhook", "a webhook is one POST")
        return None
    op = item["post"]
    op_id = op.get("operationId") or ""
    if not re.fullmatch(r"[a-z][A-Za-z0-9]*", op_id):
        report("operation-id", f"operationId {op_id!r} must be camelCase letters and digits", "post", "operationId")
    body = resolver.resolve(op.get("requestBody", {}))
    content = body.get("content", {})
    payload = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    if list(content) != ["application/json"] or not body.get("required") or not payload.startswith(SCHEMAS):
        report("webhook", "a webhook's body is required, application/json, of a named schema", "post", "requestBody")
    if not any(str(code).startswith("2") for code in op.get("responses", {})):
        report("success", "a webhook documents the 2xx its receiver answers", "post", "responses")
    if len(resolver.findings) > count:
        return None
    return Webhook(name, op_id, op.get("summary", ""), payload.rsplit("/", 1)[1])


def _unique_names(
    ops: list[Operation],
    findings: list[Finding],
    what: str,
    py: Callable[[Operation], str],
    name: Callable[[Operation], str],
) -> None:
    seen: dict[str, Operation] = {}
    for op in ops:
        if (other := seen.setdefault(py(op), op)) is not op:
            findings.append(
                Finding(
                    "names",
                    f"{op.operation_id} ({op.method.upper()} {op.path})",
                    f"{what} {name(op)!r} and {name(other)!r} (of {other.operation_id}) are both {py(op)} in Python",
                    pointer("paths", op.path, op.method),
                )
            )


class _OperationReader:
    """Reads one operation, reporting each house rule it breaks into `findings`."""

    def __init__(
        self, resolver: "_Resolver", findings: list[Finding], path: str, method: str, item: dict[str, Any]
    ) -> None:
        self.resolver, self.findings, self.path, self.method = resolver, findings, path, method
        self.item, self.op = item, item[method]
        self.where = f"{method.upper()} {path}"

    def report(self, rule: str, message: str, *at: object) -> None:
        self.findings.append(Finding(rule, self.where, message, pointer("paths", self.path, self.method, *at)))

    def read(self, global_security: tuple[str, ...], schemes: dict[str, Any]) -> Operation | None:
        op, count = self.op, len(self.findings)
        op_id = op.get("operationId") or ""
        if not op_id:
            self.report("operation-id", "every operation needs an operationId")
        elif not re.fullmatch(r"[a-z][A-Za-z0-9]*", op_id):
            self.report("operation-id", f"operationId {op_id!r} must be camelCase letters and digits", "operationId")
        else:
            self.where = f"{op_id} ({self.where})"
        if self.method not in SUPPORTED_METHODS:
            self.report("method", f"{self.method.upper()} operations are not supported")
        tags = op.get("tags") or []
        if len(tags) != 1:
            self.report("one-tag", "every operation needs exactly one tag", "tags")

        params = self.params()
        security = _scheme_names(op["security"]) if "security" in op else global_security
        if unknown := [name for name in security if name not in schemes]:
            self.report("security-scheme", f"no security scheme {', '.join(unknown)} in components", "security")
        credential_params = tuple(
            sorted(schemes[name]["name"] for name in security if schemes.get(name, {}).get("in") == "query")
        )
        body_model, body_types, form = self.body()
        responses = self.responses()
        statuses = tuple(sorted(code for code in responses if 200 <= code < 300))
        if not statuses:
            self.report("success", "an operation needs a 2xx response", "responses")
        streams, downloads, models = self.successes(responses, statuses)
        binary = downloads and any(
            self.resolver.schema(content.get("schema", {})).get("format") == "binary"
            for code in statuses
            for content in responses[code].get("content", {}).values()
        )
        headers = _success_headers(self.resolver, [responses[code] for code in statuses])
        not_modified = self.not_modified(responses, params, headers)
        limited = op.get("x-rate-limited", True) is not False
        errors, shared_errors = self.errors(responses)
        self.error_rules(errors, responses, params, security, body_model, limited)
        if len(self.findings) > count:
            return None
        return Operation(
            operation_id=op_id,
            method=self.method,
            path=self.path,
            tag=tags[0],
            summary=op.get("summary", ""),
            security=security,
            credential_params=credential_params,
            params=params,
            body_model=body_model,
            body_media_types=body_types,
            form=form,
            success_statuses=statuses,
            success_models=models,
            success_headers=headers,
            limited=limited,
            not_modified=not_modified,
            streams=streams,
            downloads=downloads,
            binary=binary,
            errors=errors,
            shared_errors=shared_errors,
        )

    def params(self) -> tuple[Param, ...]:
        shared = [(("parameters", i), p) for i, p in enumerate(self.item.get("parameters", []))]
        own = [((self.method, "parameters", i), p) for i, p in enumerate(self.op.get("parameters", []))]
        read: list[Param] = []
        for at, raw in [*shared, *own]:
            param = self.param(self.resolver.resolve(raw), at)
            if param is not None:
                read.append(param)
        if not any(p.location == "header" and p.name.lower() == REQUEST_ID for p in read):
            self.report("request-id", "every operation documents the X-Request-ID request header", "parameters")
        params = tuple(p for p in read if p.name.lower() != REQUEST_ID)
        by_py: dict[str, Param] = {}
        for p in params:
            if (other := by_py.setdefault(p.py_name, p)) is not p:
                self.report(
                    "names", f"parameters {other.name!r} and {p.name!r} are both {p.py_name} in Python", "parameters"
                )
        return params

    def param(self, param: dict[str, Any], at: tuple[object, ...]) -> Param | None:
        # `at` is under the path item: a path-level parameter is not the operation's.
        def report(rule: str, message: str) -> None:
            self.findings.append(Finding(rule, self.where, message, pointer("paths", self.path, *at)))

        name, location = param.get("name", ""), param.get("in", "")
        if location == "cookie":
            report("parameter-location", f"parameter {name} is a cookie, which browsers' fetch cannot send")
            return None
        if location not in ("path", "query", "header"):
            report("parameter-location", f"parameter {name} is in {location!r}, which is not supported")
            return None
        schema = param.get("schema", {})
        is_array = schema.get("type") == "array"
        item = schema.get("items", {}) if is_array else schema
        style = param.get("style", "form" if location == "query" else "simple")
        explode = param.get("explode", style == "form")
        if style == "deepObject" or schema.get("type") == "object":
            report(
                "parameter-type",
                f"parameter {name} is an object (style: {style}), which the Python SDK's generator cannot send",
            )
            return None
        if item.get("type") not in PARAM_TYPES or {"allOf", "anyOf", "oneOf"} & set(item):
            report(
                "parameter-type", f"parameter {name} must be a plain integer, string or boolean (or an array of one)"
            )
            return None
        if is_array and location != "query":
            report("parameter-type", f"parameter {name} is an array in the {location}, which is not supported")
            return None
        if is_array and (style != "form" or not explode):
            report(
                "parameter-style",
                f"parameter {name} is style {style}{'' if explode else ', not exploded'}: query arrays are"
                " style form, exploded, which is all that both SDKs' generators send",
            )
            return None
        if item.get("type") == "integer" and ("minimum" not in item or "maximum" not in item):
            report("bounded-integer", f"integer parameter {name} needs a minimum and a maximum")
            return None
        if "default" in schema and item.get("format") in ("date", "date-time"):
            try:
                parse = datetime.date if item["format"] == "date" else datetime.datetime
                parse.fromisoformat(str(schema["default"]))
            except ValueError:
                report("parameter-type", f"parameter {name}'s default is no {item['format']}")
                return None
        return Param(
            name,
            location,
            bool(param.get("required")),
            schema,
            param.get("description", ""),
            py_name=python_name(name, TAKEN),
        )

    def body(self) -> tuple[str | None, tuple[str, ...], tuple[Part, ...]]:
        if "requestBody" not in self.op:
            return None, (), ()
        body = self.resolver.resolve(self.op["requestBody"])
        content = body.get("content", {})
        if list(content) not in (["application/json"], [FORM]):
            self.report(
                "body-media-type",
                f"a request body must be application/json or {FORM} only, not {', '.join(content) or 'nothing'}",
                "requestBody",
                "content",
            )
            return None, tuple(content), ()
        if not body.get("required"):
            self.report("body-required", "a request body must be required", "requestBody")
        [media] = content
        at = ("requestBody", "content", media, "schema")
        model = self.model_name(content[media].get("schema", {}), *at)
        parts = self.parts(model, at) if media == FORM and model else ()
        return model, tuple(content), parts

    def parts(self, model: str, at: tuple[str, ...]) -> tuple[Part, ...]:
        """The parts of a form body: each a file (`format: binary`) or a plain field; one file at least."""
        schema = self.resolver.schema({"$ref": SCHEMAS + model})
        required = set(schema.get("required", []))
        parts = []
        for name, raw in schema.get("properties", {}).items():
            part = self.resolver.schema(raw)
            if part.get("type") == "string" and part.get("format") == "binary":
                parts.append(Part(name, name in required, part, file=True))
            elif part.get("type") in PARAM_TYPES and not {"allOf", "anyOf", "oneOf"} & set(part):
                if part.get("type") == "integer" and ("minimum" not in part or "maximum" not in part):
                    self.report("bounded-integer", f"integer form field {name} needs a minimum and a maximum", *at)
                parts.append(Part(name, name in required, part, file=False))
            else:
                self.report(
                    "form-parts",
                    f"form part {name} must be a file (format: binary) or a plain integer, string or boolean",
                    *at,
                )
        if not any(p.file and p.required for p in parts):
            self.report("form-parts", f"a {FORM} body needs a required file part (format: binary)", *at)
        return tuple(parts)

    def responses(self) -> dict[int, dict[str, Any]]:
        raw = self.op.get("responses", {})
        if not all(str(code).isdigit() for code in raw):
            self.report("status-codes", f"responses need explicit status codes, not {list(raw)}", "responses")
        responses = {int(code): self.resolver.resolve(r) for code, r in raw.items() if str(code).isdigit()}
        for code, response in responses.items():
            if undocumented := [name for name in EVERY_ANSWER if name not in response.get("headers", {})]:
                self.report(
                    "every-answer-headers",
                    f"the {code} response must document {', '.join(undocumented)}",
                    "responses",
                    str(code),
                )
        return responses

    def successes(
        self, responses: dict[int, dict[str, Any]], statuses: tuple[int, ...]
    ) -> tuple[bool, bool, tuple[str, ...]]:
        streams = any(EVENT_STREAM in responses[code].get("content", {}) for code in statuses)
        if streams and len(statuses) != 1:
            self.report("success-bodies", "an event stream must be the only 2xx", "responses")
        media = {m for code in statuses for m in responses[code].get("content", {})}
        downloads = bool(media) and not streams and "application/json" not in media
        if downloads and "Content-Disposition" not in responses[statuses[0]].get("headers", {}):
            self.report(
                "download-disposition",
                "a file download must document Content-Disposition",
                "responses",
                str(statuses[0]),
                "headers",
            )
        if streams or downloads:
            return streams, downloads, ()
        models: dict[str | None, None] = {}
        for code in statuses:
            content = responses[code].get("content")
            if not content:
                models[None] = None
            elif list(content) != ["application/json"]:
                self.report("success-bodies", f"the {code} response must be application/json", "responses", str(code))
            else:
                schema = content["application/json"].get("schema", {})
                at = ("responses", str(code), "content", "application/json", "schema")
                models[self.model_name(schema, *at)] = None
        if None in models and len(models) > 1:
            self.report("success-bodies", "either every 2xx response has a JSON body, or none has", "responses")
        return streams, downloads, tuple(model for model in models if model)

    def not_modified(
        self, responses: dict[int, dict[str, Any]], params: tuple[Param, ...], headers: tuple[Header, ...]
    ) -> bool:
        redirects = sorted(code for code in responses if 300 <= code < 400)
        if redirects not in ([], [304]):
            self.report("redirects", "304 is the only 3xx response supported", "responses")
        if redirects == [304] and (
            not any(p.name.lower() == "if-none-match" for p in params)
            or ("ETag", True) not in [(h.name, h.required) for h in headers]
        ):
            self.report("redirects", "a 304 needs an If-None-Match parameter and a required ETag", "responses", "304")
        return redirects == [304]

    def errors(self, responses: dict[int, dict[str, Any]]) -> tuple[dict[int, str], dict[int, str]]:
        errors: dict[int, str] = {}
        shared_errors: dict[int, str] = {}
        raw = {int(code): r for code, r in self.op.get("responses", {}).items() if str(code).isdigit()}
        for code, response in sorted(responses.items()):
            if code < 400:
                continue
            if list(response.get("content", {})) != [PROBLEM_JSON]:
                self.report(
                    "problem-errors", f"the {code} response must be {PROBLEM_JSON} only", "responses", str(code)
                )
            errors[code] = response.get("description", "")
            if (ref := raw[code].get("$ref", "")).startswith(SHARED_RESPONSE):
                shared_errors[code] = ref.removeprefix(SHARED_RESPONSE)
        return errors, shared_errors

    def error_rules(
        self,
        errors: dict[int, str],
        responses: dict[int, dict[str, Any]],
        params: tuple[Param, ...],
        security: tuple[str, ...],
        body_model: str | None,
        limited: bool,
    ) -> None:
        """The statuses the generated route itself may answer, before the handler runs."""
        documented = set(errors)

        def demand(rule: str, needed: set[int], because: str) -> None:
            if missing := sorted(needed - documented):
                self.report(rule, f"{because} must document {missing}", "responses")

        if body_model:
            demand("body-errors", set(BODY_ERRORS), "an operation with a body")
        demand("parameter-errors", {400}, "every operation (an undefined query parameter is refused)")
        if params:
            demand("parameter-errors", {422}, "an operation with parameters")
        if security:
            demand("authentication-errors", {401}, "an operation with security")
        if any(p.location == "header" and p.name.lower() == "if-match" and p.required for p in params):
            demand("precondition", {428}, "an operation that requires If-Match")
        if limited:
            demand("rate-limited", {429}, "a rate-limited operation (opt out with `x-rate-limited: false`)")
        if 429 in responses and "Retry-After" not in responses[429].get("headers", {}):
            self.report("rate-limited", "a 429 must document Retry-After", "responses", "429", "headers")

    def model_name(self, schema: dict[str, Any], *at: object) -> str | None:
        ref = schema.get("$ref", "")
        if not ref.startswith(SCHEMAS):
            self.report("named-schema", "a body must refer to a named schema in components/schemas", *at)
            return None
        name: str = ref.rsplit("/", 1)[1]
        return name


def _success_headers(resolver: "_Resolver", responses: list[dict[str, Any]]) -> tuple[Header, ...]:
    """Every header of the 2xx responses; required only where every one of them requires it."""
    names = [
        name
        for name in dict.fromkeys(name for r in responses for name in r.get("headers", {}))
        if name not in EVERY_ANSWER
    ]
    return tuple(
        Header(name, all(resolver.resolve(r.get("headers", {}).get(name, {})).get("required") for r in responses))
        for name in names
    )


def _scheme_names(requirements: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(sorted({name for requirement in requirements for name in requirement}))


class _Resolver:
    def __init__(self, spec: dict[str, Any], findings: list[Finding]) -> None:
        self.spec, self.findings = spec, findings

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follows local `$ref`s, merging their schemas inline for parameters."""
        seen = set()
        while "$ref" in node and not node["$ref"].startswith(SCHEMAS):
            ref = node["$ref"]
            target: Any = self.spec
            try:
                if ref in seen or not ref.startswith("#/"):
                    raise LookupError(ref)
                for part in ref[2:].split("/"):
                    target = target[part.replace("~1", "/").replace("~0", "~")]
            except (LookupError, TypeError):
                self.findings.append(Finding("ref", ref, "an unknown, remote or circular $ref", ref.removeprefix("#")))
                return {}
            seen.add(ref)
            node = target
        if "schema" in node:
            node = {**node, "schema": self.schema(node["schema"])}
        return node

    def schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The schema with its own and its array items' `$ref`s followed."""
        while "$ref" in schema:
            schema = self.spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        if "items" in schema:
            schema = {**schema, "items": self.schema(schema["items"])}
        return schema
