"""Every example in the contract is valid by its own schema: what docs, generated clients and a mock
server show is what the service could send or accept."""

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.live import ROOT

# The contract and the code made from it, no database: once.
pytestmark = pytest.mark.once

BASE = "urn:taskboard:contract"

Found = tuple[str, Any, str]  # (where the example is, the example, the pointer to its schema)


def examples(node: Any, pointer: str = "") -> Iterator[Found]:
    """Schema `examples` (JSON Schema), and `example`/`examples` of parameters, headers and media types."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from examples(item, f"{pointer}/{index}")
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        here = f"{pointer}/{_escape(key)}"
        if key == "examples" and isinstance(value, list):  # a schema's own
            yield from ((f"{here}/{i}", example, pointer) for i, example in enumerate(value))
        elif key == "examples" and isinstance(value, dict) and "schema" in node:  # Example Objects
            yield from ((f"{here}/{name}", ex["value"], f"{pointer}/schema") for name, ex in value.items())
        elif key == "example" and "schema" in node:
            yield here, value, f"{pointer}/schema"
        elif key == "example":
            yield here, value, pointer
        else:
            yield from examples(value, here)


def _escape(key: object) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def invalid(contract: dict[str, Any]) -> list[str]:
    registry: Registry[Any] = Registry().with_resource(BASE, DRAFT202012.create_resource(contract))
    formats = FormatChecker()
    problems = []
    for where, example, schema in examples(contract):
        validator = Draft202012Validator({"$ref": f"{BASE}#{schema}"}, registry=registry, format_checker=formats)
        problems += [f"{where}: {error.message}" for error in validator.iter_errors(example)]
    return problems


def test_every_example_of_the_contract_is_valid() -> None:
    contract = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    found = list(examples(contract))
    assert len(found) >= 30  # the walk does find them
    assert invalid(contract) == []


@pytest.mark.parametrize(
    ("where", "example"),
    [
        ("schema", {"schemas": {"Id": {"type": "integer", "minimum": 1, "examples": [0]}}}),
        ("media type", {"x": {"schema": {"$ref": "#/components/schemas/Id"}, "examples": {"a": {"value": "7"}}}}),
        ("parameter", {"p": {"name": "id", "in": "path", "schema": {"type": "integer"}, "example": 1.5}}),
    ],
)
def test_an_invalid_example_is_found(where: str, example: dict[str, Any]) -> None:
    contract = {"components": {"schemas": {"Id": {"type": "integer"}}, **example}}
    assert len(invalid(contract)) == 1, where


def served_problems(contract: dict[str, Any]) -> Iterator[tuple[str, int, Any]]:
    """What a mock answers for each documented error: its media type's example, else its schema's first."""
    responses = contract["components"].get("responses", {})
    for path, item in contract["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for code, response in operation["responses"].items():
                if not str(code).startswith(("4", "5")):
                    continue
                response = responses[response["$ref"].rsplit("/", 1)[1]] if "$ref" in response else response
                for media in response.get("content", {}).values():
                    example = media.get("example")
                    if example is None:
                        schema = media.get("schema", {})
                        if "$ref" in schema:
                            schema = contract["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
                        example = (schema.get("examples") or [None])[0]
                    yield f"{method.upper()} {path} {code}", int(code), example


def test_every_documented_error_has_an_example_of_its_own_status() -> None:
    """The mock (make mock) answers an error with its example: a 401 must not show a 404's problem."""
    contract = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    served = list(served_problems(contract))
    assert len(served) > 100
    wrong = [f"{where}: {example}" for where, code, example in served if not example or example["status"] != code]
    assert wrong == []
