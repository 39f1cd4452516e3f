"""The breaking-change gate: each rule of its table on a pair of tiny contracts, and the gate as
`make lint` runs it on the real one."""

import copy
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen import breaking
from codegen.breaking import RULES, Change

ROOT = Path(__file__).resolve().parents[2]

Spec = dict[str, Any]


def json_of(schema: Any) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


BASE: Spec = {
    "openapi": "3.1.0",
    "info": {"title": "Tiny", "version": "1.0.0"},
    "security": [{"bearer": []}],
    "paths": {
        "/items": {
            "get": {
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
                    {"name": "status", "in": "query", "schema": {"type": "array", "items": ref("Status")}},
                ],
                "responses": {"200": {"description": "Items.", **json_of({"type": "array", "items": ref("Item")})}},
            },
            "post": {
                "requestBody": {"required": True, **json_of(ref("ItemCreate"))},
                "responses": {"201": {"description": "Made.", **json_of(ref("Item"))}},
            },
        },
        "/items/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "responses": {
                    "200": {
                        "description": "The item.",
                        "headers": {"ETag": {"schema": {"type": "string"}}},
                        **json_of(ref("Item")),
                    },
                    "404": {"description": "None.", "content": {"application/problem+json": {"schema": {}}}},
                }
            },
            "delete": {"responses": {"204": {"description": "Gone."}}},
        },
        "/events": {"get": {"responses": {"200": {"description": "Events.", **json_of(ref("Event"))}}}},
        "/health": {"get": {"security": [], "responses": {"200": {"description": "Up."}}}},
    },
    "components": {
        "schemas": {
            "Status": {"type": "string", "enum": ["todo", "done"]},
            "Item": {
                "type": "object",
                "required": ["id", "name", "status"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "status": ref("Status"),
                    "secret": {"type": "string", "writeOnly": True},
                },
            },
            "ItemCreate": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {"name": {"type": "string", "maxLength": 50}, "note": {"type": "string"}},
            },
            "Event": {"oneOf": [ref("Created"), ref("Deleted")]},
            "Created": {"type": "object", "properties": {"item": ref("Item")}},
            "Deleted": {"type": "object", "properties": {"id": {"type": "integer"}}},
        }
    },
}


def at(spec: Spec, *keys: str | int) -> Any:
    node: Any = spec
    for key in keys:
        node = node[key]
    return node


def schema(spec: Spec, name: str) -> Any:
    return spec["components"]["schemas"][name]


Edit = Callable[[Spec], object]


@dataclass(frozen=True)
class Case:
    rule: str
    new: Edit  # what the change does to BASE
    names: str  # what the message must name
    old: Edit | None = None  # what the released contract had instead of BASE, where it differs


CASES = [
    Case("path-removed", lambda s: s["paths"].pop("/health"), "/health"),
    Case("operation-removed", lambda s: s["paths"]["/items/{id}"].pop("delete"), "DELETE /items/{id}"),
    Case("operation-added", lambda s: s["paths"]["/items/{id}"].update(put=s["paths"]["/items"]["post"]), "PUT"),
    Case("security-added", lambda s: at(s, "paths", "/health", "get").pop("security"), "GET /health"),
    Case("parameter-removed", lambda s: at(s, "paths", "/items", "get", "parameters").pop(0), "query parameter limit"),
    Case(
        "required-parameter-added",
        lambda s: at(s, "paths", "/items", "get", "parameters").append(
            {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        "query parameter q",
    ),
    Case(
        "parameter-made-required",
        lambda s: at(s, "paths", "/items", "get", "parameters", 0).update(required=True),
        "query parameter limit",
    ),
    Case(
        "optional-parameter-added",
        lambda s: at(s, "paths", "/items/{id}", "get").update(
            parameters=[{"name": "If-None-Match", "in": "header", "schema": {"type": "string"}}]
        ),
        "header parameter If-None-Match",
    ),
    Case("request-body-removed", lambda s: at(s, "paths", "/items", "post").pop("requestBody"), "POST /items"),
    Case(
        "request-body-added",
        lambda s: at(s, "paths", "/items/{id}", "delete").update(requestBody={"required": True, **json_of({})}),
        "DELETE /items/{id} request body",
    ),
    Case(
        "request-body-made-required",
        lambda s: None,
        "POST /items request body",
        old=lambda s: at(s, "paths", "/items", "post", "requestBody").update(required=False),
    ),
    Case(
        "request-media-type-removed",
        lambda s: at(s, "paths", "/items", "post", "requestBody").update(content={"text/csv": {}}),
        "request body application/json",
    ),
    Case("request-field-removed", lambda s: schema(s, "ItemCreate")["properties"].pop("note"), "field note"),
    Case(
        "required-request-field-added",
        lambda s: (
            schema(s, "ItemCreate")["properties"].update(size={"type": "integer"}),
            schema(s, "ItemCreate")["required"].append("size"),
        ),
        "request body application/json field size",
    ),
    Case("request-field-made-required", lambda s: schema(s, "ItemCreate")["required"].append("note"), "field note"),
    Case(
        "optional-request-field-added",
        lambda s: schema(s, "ItemCreate")["properties"].update(size={"type": "integer"}),
        "field size",
    ),
    Case(
        "request-constraint-tightened",
        lambda s: schema(s, "ItemCreate")["properties"]["name"].update(maxLength=20),
        "field name: request constraint tightened (maxLength 50 → 20)",
    ),
    Case(
        "request-constraint-loosened",
        lambda s: at(s, "paths", "/items", "get", "parameters", 0, "schema").update(maximum=500),
        "query parameter limit: request constraint loosened (maximum 100 → 500)",
    ),
    Case(
        "request-enum-value-removed",
        lambda s: None,
        "query parameter status[]: request enum value removed ('blocked')",
        old=lambda s: schema(s, "Status")["enum"].append("blocked"),
    ),
    Case(
        "request-enum-value-added",
        lambda s: schema(s, "Status")["enum"].append("blocked"),
        "query parameter status[]: request enum value added ('blocked')",
    ),
    Case("type-changed", lambda s: schema(s, "Item")["properties"]["id"].update(type="string"), "integer → string"),
    Case(
        "success-status-removed",
        lambda s: at(s, "paths", "/items", "post", "responses").update(
            {"200": at(s, "paths", "/items", "post", "responses").pop("201")}
        ),
        "POST /items response 201",
    ),
    Case(
        "response-media-type-removed",
        lambda s: at(s, "paths", "/items/{id}", "get", "responses", "200").update(content={"text/csv": {}}),
        "GET /items/{id} response 200 application/json",
    ),
    Case(
        "response-header-removed",
        lambda s: at(s, "paths", "/items/{id}", "get", "responses", "200").pop("headers"),
        "response 200 header ETag",
    ),
    Case(
        "response-field-removed",
        lambda s: schema(s, "Item")["properties"].pop("name"),
        "GET /items/{id} response 200 application/json field name",
    ),
    Case("response-field-made-optional", lambda s: schema(s, "Item")["required"].remove("name"), "field name"),
    Case(
        "response-field-made-nullable",
        lambda s: schema(s, "Item")["properties"]["name"].update(type=["string", "null"]),
        "field name",
    ),
    Case(
        "response-field-added",
        lambda s: schema(s, "Item")["properties"].update(color={"type": "string"}),
        "field color",
    ),
    Case(
        "response-enum-value-added",
        lambda s: schema(s, "Status")["enum"].append("blocked"),
        "GET /items response 200 application/json[] field status",
    ),
    Case("response-variant-added", lambda s: schema(s, "Event")["oneOf"].append(ref("Status")), "(Status)"),
    Case(
        "request-variant-removed",
        lambda s: at(s, "paths", "/items", "post", "requestBody").update(**json_of({"oneOf": [ref("ItemCreate")]})),
        "(Status)",
        old=lambda s: at(s, "paths", "/items", "post", "requestBody").update(
            **json_of({"oneOf": [ref("ItemCreate"), ref("Status")]})
        ),
    ),
    Case(
        "status-added",
        lambda s: at(s, "paths", "/items", "post", "responses").update({"409": {"description": "Taken."}}),
        "POST /items response 409",
    ),
]


def edited(edit: Edit | None, base: Spec = BASE) -> Spec:
    spec = copy.deepcopy(base)
    if edit is not None:
        edit(spec)
    return spec


def test_every_rule_is_tested() -> None:
    assert sorted(case.rule for case in CASES) == sorted(RULES)


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_a_rule_names_the_change(case: Case) -> None:
    old, new = edited(case.old), edited(case.new)
    changes = breaking.compare(old, new)
    found = [str(change) for change in changes if change.rule_id == case.rule]
    assert found, f"{case.rule} not found in {[str(change) for change in changes]}"
    assert any(case.names in line for line in found), found
    # An error stops the contract, unless its major version is raised; a warning or info never does.
    assert breaking.breaks(old, new, changes) == any(change.rule.level == "error" for change in changes)
    major = edited(lambda s: s["info"].update(version="2.0.0"), new)
    assert not breaking.breaks(old, major, breaking.compare(old, major))


def test_a_change_no_client_sees_is_no_change() -> None:
    assert breaking.compare(BASE, copy.deepcopy(BASE)) == []
    reordered = edited(lambda s: s["paths"].update(reversed(list(s["paths"].items()))))
    described = edited(lambda s: schema(s, "Item").update(description="An item on the list."))
    assert breaking.compare(BASE, reordered) == [] and breaking.compare(BASE, described) == []
    # What an answer never holds is no answer's field; what a request never sends, no request's.
    secret_gone = edited(lambda s: schema(s, "Item")["properties"].pop("secret"))
    assert breaking.compare(BASE, secret_gone) == []


def test_only_errors_stop_the_contract() -> None:
    added = edited(lambda s: schema(s, "Item")["properties"].update(color={"type": "string"}))
    changes = breaking.compare(BASE, added)
    assert [change.rule_id for change in changes] == ["response-field-added"] * 4
    assert not breaking.breaks(BASE, added, changes)


def test_a_recursive_schema_is_compared_once() -> None:
    def tree(spec: Spec) -> None:
        node = {
            "type": "object",
            "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": ref("Node")}},
        }
        schema(spec, "Item")["properties"]["node"] = ref("Node")
        spec["components"]["schemas"]["Node"] = node

    old = edited(tree)
    new = edited(lambda s: schema(s, "Node")["properties"].pop("name"), old)
    removed = [str(change) for change in breaking.compare(old, new) if change.operation == "GET /items/{id}"]
    assert removed == [
        "error [response-field-removed] GET /items/{id} response 200 application/json field node.name: "
        "response field removed"
    ]


def test_a_field_beside_a_ref_is_bounded_by_both() -> None:
    old = edited(
        lambda s: (
            schema(s, "ItemCreate")["properties"].update(name=ref("Name"))
            or s["components"]["schemas"].update(Name={"type": "string", "maxLength": 50})
        )
    )
    new = edited(lambda s: schema(s, "ItemCreate")["properties"].update(name={**ref("Name"), "maxLength": 10}), old)
    assert [change.detail for change in breaking.compare(old, new)] == ["maxLength 50 → 10"]


def test_the_last_release_is_the_highest_version(tmp_path: Path) -> None:
    for version in ("1.2.0", "1.10.0", "1.9.3"):
        (tmp_path / f"{version}.yaml").write_text("{}")
    assert breaking.last_released(tmp_path).name == "1.10.0.yaml"


def gate(tmp_path: Path, edit: Edit) -> subprocess.CompletedProcess[str]:
    """`python -m codegen.breaking` (as `make lint` runs it) on the real contract, edited."""
    contract = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    edit(contract)
    changed = tmp_path / "openapi.yaml"
    changed.write_text(yaml.safe_dump(contract, sort_keys=False))
    return subprocess.run(
        [sys.executable, "-m", "codegen.breaking", str(changed)], cwd=ROOT, capture_output=True, text=True
    )


def test_the_released_contract_is_the_contract_or_an_older_one_it_keeps() -> None:
    checked = subprocess.run([sys.executable, "-m", "codegen.breaking"], cwd=ROOT, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "keeps clients of the released" in checked.stdout.splitlines()[-1]


def test_a_removed_field_or_a_tightened_constraint_fails_the_gate_by_name(tmp_path: Path) -> None:
    def narrower(contract: Spec) -> None:
        schema(contract, "Task")["properties"].pop("dueDate")
        schema(contract, "TaskTitle")["maxLength"] = 100

    failed = gate(tmp_path, narrower)
    assert failed.returncode == 1
    lines = failed.stdout.splitlines()
    assert (
        "error [response-field-removed] GET /v1/projects/{projectId}/tasks/{taskId} "
        "response 200 application/json field dueDate: response field removed"
    ) in lines
    assert any(
        "request-constraint-tightened" in line and "field title" in line and "maxLength 200 → 100" in line
        for line in lines
    )
    assert "breaks clients of the released" in lines[-1]


def test_an_optional_field_passes_the_gate_as_info(tmp_path: Path) -> None:
    passed = gate(tmp_path, lambda c: schema(c, "TaskCreate")["properties"].update(labels={"type": "string"}))
    assert passed.returncode == 0
    assert passed.stdout.splitlines() == [
        "info [optional-request-field-added] POST /v1/projects/{projectId}/tasks request body application/json "
        "field labels: optional request field added",
        f"openapi.yaml {BASE['info']['version']} keeps clients of the released 1.0.0 (1.0.0.yaml) working",
    ]


def test_a_major_version_lets_breaking_changes_through(tmp_path: Path) -> None:
    def major(contract: Spec) -> None:
        schema(contract, "Task")["properties"].pop("dueDate")
        contract["info"]["version"] = "2.0.0"

    passed = gate(tmp_path, major)
    assert passed.returncode == 0 and "is a new major version" in passed.stdout.splitlines()[-1]


def test_changes_are_listed_errors_first() -> None:
    changes = [Change("response-field-added", "GET /a", ""), Change("path-removed", "/b", "")]
    assert list(breaking.report(changes)) == [
        "error [path-removed] /b: path removed",
        "info [response-field-added] GET /a: response field added",
    ]


def test_a_renamed_path_parameter_is_one_removed_and_one_added() -> None:
    def renamed(spec: Spec) -> None:
        item = spec["paths"].pop("/items/{id}")
        item["parameters"][0]["name"] = "itemId"
        spec["paths"]["/items/{itemId}"] = item

    changes = {str(change) for change in breaking.compare(BASE, edited(renamed))}
    assert changes == {
        f"error [{rule}] {method} /items/{{id}} path parameter {name}: {RULES[rule].says}"
        for method in ("GET", "DELETE")
        for rule, name in (("parameter-removed", "id"), ("required-parameter-added", "itemId"))
    }
