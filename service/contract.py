"""The contract the service serves, and the check that the app implements all of it."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from generated.api import INTERFACES, OPERATIONS

CONTRACT_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"


@cache
def load_contract() -> dict[str, Any]:
    contract: dict[str, Any] = yaml.safe_load(CONTRACT_PATH.read_text())
    return contract


def routed_operations(app: FastAPI) -> set[tuple[str, str, str]]:
    return {
        (str(route.operation_id), method, str(route.path))
        for route in iter_route_contexts(app.routes)
        if getattr(route, "operation_id", None)
        for method in route.methods or ()
    }


def ensure_complete(app: FastAPI) -> None:
    """Refuses to build an app that leaves an operation of the contract without a route, and says
    what to write: for a tag of which nothing is routed, its handlers and their router."""
    routed = routed_operations(app)
    missing = [op for op in OPERATIONS if (op.operation_id, op.method, op.path) not in routed]
    if not missing:
        return
    lines = [f"no handler for contract operations: {', '.join(op.operation_id for op in missing)}"]
    for tag in dict.fromkeys(op.tag for op in missing):
        if any(op.tag == tag for op in OPERATIONS if op not in missing):
            continue
        module, _, interface = INTERFACES[tag].rpartition(".")
        lines.append(
            f"tag {tag}: implement {interface} ({module}) in a class of service/<resource>/handlers.py,"
            f" and add `app.include_router({module.rpartition('.')[2]}.router(<that class>,"
            " context=request_context))` in service/app.py"
        )
    raise RuntimeError("\n".join(lines))


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True, slots=True)
class CrossOrigin:
    """What a browser script may do by the contract: its methods, the request headers it defines
    (with the credentials and body type any call may carry), and the headers of its answers."""

    methods: tuple[str, ...]
    request_headers: tuple[str, ...]
    response_headers: tuple[str, ...]


@cache
def cross_origin() -> CrossOrigin:
    contract = load_contract()

    def resolved(item: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in item:
            found: Any = contract
            for part in item["$ref"].removeprefix("#/").split("/"):
                found = found[part]
            item = found
        return item

    methods, sent, read = set(), {"Authorization", "Content-Type"}, set()
    for path_item in contract["paths"].values():
        for method in HTTP_METHODS:
            if (operation := path_item.get(method)) is None:
                continue
            methods.add(method.upper())
            for parameter in (*path_item.get("parameters", ()), *operation.get("parameters", ())):
                if (parameter := resolved(parameter))["in"] == "header":
                    sent.add(parameter["name"])
            for response in operation["responses"].values():
                read.update(resolved(response).get("headers", {}))
    return CrossOrigin(tuple(sorted(methods)), tuple(sorted(sent)), tuple(sorted(read)))
