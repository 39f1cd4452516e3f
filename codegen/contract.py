"""Reads the contract into plain operation descriptions, enforcing the house rules."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
SUPPORTED_METHODS = ("get", "put", "post", "delete", "patch")
PARAM_TYPES = ("integer", "string", "boolean")
SHARED_RESPONSE = "#/components/responses/"
PROBLEM_JSON = "application/problem+json"
EVENT_STREAM = "text/event-stream"


# 400 malformed JSON, 408 body too slow, 413 too large, 415 not JSON, 422 not the schema.
BODY_ERRORS = frozenset({400, 408, 413, 415, 422})
# Headers the service sets on every answer, whatever produced it: every response documents them,
# and no handler returns them.
EVERY_ANSWER = ("Cache-Control", "X-Content-Type-Options", "X-Request-ID")
# Taken by the service around every route (service/kit/observe.py): every operation documents it,
# and no route or handler sees it.
REQUEST_ID = "x-request-id"


class ContractError(Exception):
    """The contract breaks a house rule; the message names the operation."""


@dataclass(frozen=True)
class Param:
    name: str  # wire name
    location: str  # path, query or header
    required: bool
    schema: dict[str, Any]
    description: str = ""

    @property
    def py_name(self) -> str:
        return snake_case(self.name)


@dataclass(frozen=True)
class Header:
    name: str
    required: bool

    @property
    def py_name(self) -> str:
        return snake_case(self.name)


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
    success_statuses: tuple[int, ...]
    # The models of the 2xx bodies (one per schema, in status order); empty when they have none.
    success_models: tuple[str, ...]
    success_headers: tuple[Header, ...]
    # 304 is documented: the route answers it itself when If-None-Match names the returned ETag.
    not_modified: bool = False
    # The success is a text/event-stream: the handler returns the events, the route streams them.
    streams: bool = False
    # The success is a file (media types other than JSON): the handler names it, the route sends it.
    downloads: bool = False
    errors: dict[int, str] = field(default_factory=dict)  # status -> description
    # status -> the name of the shared response (components/responses) it refers to, where it does
    shared_errors: dict[int, str] = field(default_factory=dict)

    @property
    def py_name(self) -> str:
        return snake_case(self.operation_id)

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


def snake_case(name: str) -> str:
    name = re.sub(r"[^0-9a-zA-Z]+", "_", name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return name.strip("_").lower()


def load(path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(path.read_text())
    return spec


def operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation of the contract, in the contract's order."""
    resolver = _Resolver(spec)
    global_security = _scheme_names(spec.get("security", []))
    schemes = spec.get("components", {}).get("securitySchemes", {})
    found: list[Operation] = []
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            if method in item:
                op = item[method]
                found.append(_operation(resolver, path, method, op, shared, global_security, schemes))
    return found


def _operation(
    resolver: "_Resolver",
    path: str,
    method: str,
    op: dict[str, Any],
    shared_params: list[dict[str, Any]],
    global_security: tuple[str, ...],
    schemes: dict[str, Any],
) -> Operation:
    where = f"{method.upper()} {path}"
    op_id = op.get("operationId")
    if not op_id:
        raise ContractError(f"{where}: every operation needs an operationId")
    if not re.fullmatch(r"[a-z][A-Za-z0-9]*", op_id):
        raise ContractError(f"{where}: operationId {op_id!r} must be camelCase letters and digits")
    where = f"{op_id} ({where})"
    if method not in SUPPORTED_METHODS:
        raise ContractError(f"{where}: {method.upper()} operations are not supported")
    tags = op.get("tags") or []
    if len(tags) != 1:
        raise ContractError(f"{where}: every operation needs exactly one tag")

    params = tuple(_param(where, resolver.resolve(p)) for p in [*shared_params, *op.get("parameters", [])])
    if not any(p.location == "header" and p.name.lower() == REQUEST_ID for p in params):
        raise ContractError(f"{where}: every operation documents the X-Request-ID request header")
    params = tuple(p for p in params if p.name.lower() != REQUEST_ID)
    security = _scheme_names(op["security"]) if "security" in op else global_security
    if unknown := [name for name in security if name not in schemes]:
        raise ContractError(f"{where}: no security scheme {', '.join(unknown)} in components")
    credential_params = tuple(sorted(schemes[name]["name"] for name in security if schemes[name].get("in") == "query"))

    body_model, body_types = None, ()
    if "requestBody" in op:
        body = resolver.resolve(op["requestBody"])
        content = body.get("content", {})
        body_types = tuple(content)
        if list(content) != ["application/json"]:
            raise ContractError(f"{where}: a request body must be application/json only")
        if not body.get("required"):
            raise ContractError(f"{where}: a request body must be required")
        body_model = _model_name(where, content["application/json"].get("schema", {}))

    codes = list(op.get("responses", {}))
    if not all(str(code).isdigit() for code in codes):
        raise ContractError(f"{where}: responses need explicit status codes, not {codes}")
    responses = {int(code): resolver.resolve(r) for code, r in op.get("responses", {}).items()}
    statuses = tuple(sorted(code for code in responses if 200 <= code < 300))
    if not statuses:
        raise ContractError(f"{where}: an operation needs a 2xx response")
    for code, response in responses.items():
        if undocumented := [name for name in EVERY_ANSWER if name not in response.get("headers", {})]:
            raise ContractError(f"{where}: the {code} response must document {', '.join(undocumented)}")
    streams = any(EVENT_STREAM in responses[code].get("content", {}) for code in statuses)
    if streams and len(statuses) != 1:
        raise ContractError(f"{where}: an event stream must be the only 2xx")
    media = {m for code in statuses for m in responses[code].get("content", {})}
    downloads = bool(media) and not streams and "application/json" not in media
    if downloads and "Content-Disposition" not in responses[statuses[0]].get("headers", {}):
        raise ContractError(f"{where}: a file download must document Content-Disposition")
    bodies = (None if streams or downloads else _success_model(where, responses[code]) for code in statuses)
    models = dict.fromkeys(bodies)
    if None in models and len(models) > 1:
        raise ContractError(f"{where}: either every 2xx response has a JSON body, or none has")
    headers = _success_headers(resolver, [responses[code] for code in statuses])
    redirects = sorted(code for code in responses if 300 <= code < 400)
    if redirects not in ([], [304]):
        raise ContractError(f"{where}: 304 is the only 3xx response supported")
    not_modified = bool(redirects)
    if not_modified and (
        not any(p.name.lower() == "if-none-match" for p in params)
        or ("ETag", True) not in [(h.name, h.required) for h in headers]
    ):
        raise ContractError(f"{where}: a 304 needs an If-None-Match parameter and a required ETag")

    errors: dict[int, str] = {}
    shared_errors: dict[int, str] = {}
    raw = {int(code): r for code, r in op.get("responses", {}).items()}
    for code, response in sorted(responses.items()):
        if code < 400:
            continue
        if list(response.get("content", {})) != [PROBLEM_JSON]:
            raise ContractError(f"{where}: the {code} response must be {PROBLEM_JSON} only")
        errors[code] = response.get("description", "")
        if (ref := raw[code].get("$ref", "")).startswith(SHARED_RESPONSE):
            shared_errors[code] = ref.removeprefix(SHARED_RESPONSE)
    # What the generated route itself may answer for a body, before the handler runs.
    if body_model and (missing := sorted(BODY_ERRORS - set(errors))):
        raise ContractError(f"{where}: an operation with a body must document {missing}")
    if 429 in responses and "Retry-After" not in responses[429].get("headers", {}):
        raise ContractError(f"{where}: a 429 must document Retry-After")

    return Operation(
        operation_id=op_id,
        method=method,
        path=path,
        tag=tags[0],
        summary=op.get("summary", ""),
        security=security,
        credential_params=credential_params,
        params=params,
        body_model=body_model,
        body_media_types=body_types,
        success_statuses=statuses,
        success_models=tuple(model for model in models if model),
        success_headers=headers,
        not_modified=not_modified,
        streams=streams,
        downloads=downloads,
        errors=errors,
        shared_errors=shared_errors,
    )


def _success_model(where: str, response: dict[str, Any]) -> str | None:
    content = response.get("content")
    if not content:
        return None
    if list(content) != ["application/json"]:
        raise ContractError(f"{where}: a success response must be application/json")
    return _model_name(where, content["application/json"].get("schema", {}))


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


def _param(where: str, param: dict[str, Any]) -> Param:
    name, location = param["name"], param["in"]
    if location not in ("path", "query", "header"):
        raise ContractError(f"{where}: parameter {name} is in {location}, which is not supported")
    schema = param.get("schema", {})
    item = schema.get("items", {}) if schema.get("type") == "array" else schema
    if item.get("type") not in PARAM_TYPES or {"allOf", "anyOf", "oneOf"} & set(item):
        raise ContractError(
            f"{where}: parameter {name} must be a plain integer, string or boolean (or an array of one)"
        )
    if item.get("type") == "integer" and ("minimum" not in item or "maximum" not in item):
        raise ContractError(f"{where}: integer parameter {name} needs a minimum and a maximum")
    return Param(name, location, bool(param.get("required")), schema, param.get("description", ""))


def _model_name(where: str, schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    if not ref.startswith("#/components/schemas/"):
        raise ContractError(f"{where}: bodies must refer to a named schema in components")
    name: str = ref.rsplit("/", 1)[1]
    return name


def _scheme_names(requirements: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(sorted({name for requirement in requirements for name in requirement}))


class _Resolver:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follows local `$ref`s, merging their schemas inline for parameters."""
        seen = set()
        while "$ref" in node and not node["$ref"].startswith("#/components/schemas/"):
            ref = node["$ref"]
            if ref in seen or not ref.startswith("#/"):
                raise ContractError(f"unsupported or circular $ref {ref}")
            seen.add(ref)
            target: Any = self.spec
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
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
