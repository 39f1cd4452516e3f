"""The contract the service serves, and the check that the app implements all of it."""

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from generated.api import OPERATIONS

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
    """Refuses to build an app that leaves an operation of the contract without a route."""
    routed = routed_operations(app)
    missing = [op.operation_id for op in OPERATIONS if (op.operation_id, op.method, op.path) not in routed]
    if missing:
        raise RuntimeError(f"no handler for contract operations: {', '.join(missing)}")
