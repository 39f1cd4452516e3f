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

# The contract and the code made from it, no database: once.
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[2]
VERSION = yaml.safe_load((ROOT / "openapi.yaml").read_text())["info"]["version"]

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
                "operationId": "listItems",
                "tags": ["items"],
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
                    {"name": "status", "in": "query", "schema": {"type": "array", "items": ref("Status")}},
                ],
                "responses": {"200": {"description": "Items.", **json_of({"type": "array", "items": ref("Item")})}},
            },
            "post": {
                "operationId": "createItem",
                "tags": ["items"],
                "requestBody": {"required": True, **json_of(ref("ItemCreate"))},
                "responses": {"201": {"description": "Made.", **json_of(ref("Item"))}},
            },
        },
        "/items/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": "getItem",
                "tags": ["items"],
                "responses": {
                    "200": {
                        "description": "The item.",
                        "headers": {"ETag": {"required": True, "schema": {"type": "string"}}},
                        **json_of(ref("Item")),
                    },
                    "404": {"description": "None.", "content": {"application/problem+json": {"schema": {}}}},
                },
            },
            "delete": {"operationId": "deleteItem", "responses": {"204": {"description": "Gone."}}},
        },
        "/events": {
            "get": {
                "security": [{"bearer": []}, {"ticket": []}],
                "responses": {"200": {"description": "Events.", **json_of(ref("Event"))}},
            }
        },
        "/health": {"get": {"security": [], "responses": {"200": {"description": "Up."}}}},
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "ticket": {"type": "apiKey", "in": "query", "name": "ticket"},
        },
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
        },
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
    Case("operation-deprecated", lambda s: at(s, "paths", "/items/{id}", "delete").update(deprecated=True), "DELETE"),
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
        "DELETE /items/{id}: required request body added",
    ),
    Case(
        "request-body-made-required",
        lambda s: None,
        "POST /items: request body made required",
        old=lambda s: at(s, "paths", "/items", "post", "requestBody").update(required=False),
    ),
    Case(
        "request-media-type-removed",
        lambda s: at(s, "paths", "/items", "post", "requestBody").update(content={"text/csv": {}}),
        "POST /items request body application/json",
    ),
    Case("request-field-removed", lambda s: schema(s, "ItemCreate")["properties"].pop("note"), "ItemCreate field note"),
    Case(
        "required-request-field-added",
        lambda s: (
            schema(s, "ItemCreate")["properties"].update(size={"type": "integer"}),
            schema(s, "ItemCreate")["required"].append("size"),
        ),
        "ItemCreate field size: required request field added, in POST /items",
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
        "ItemCreate field name: request constraint tightened (maxLength 50 → 20), in POST /items",
    ),
    Case(
        "request-constraint-loosened",
        lambda s: at(s, "paths", "/items", "get", "parameters", 0, "schema").update(maximum=500),
        "query parameter limit: request constraint loosened (maximum 100 → 500)",
    ),
    Case(
        "request-enum-value-removed",
        lambda s: None,
        "Status: request enum value removed ('blocked'), in GET /items",
        old=lambda s: schema(s, "Status")["enum"].append("blocked"),
    ),
    Case(
        "request-enum-value-added",
        lambda s: schema(s, "Status")["enum"].append("blocked"),
        "Status: request enum value added ('blocked'), in GET /items",
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
        "Item field name: response field removed, in GET /items, POST /items, GET /items/{id} and 1 more",
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
        "Status: response enum value added (a client's exhaustive switch misses it) ('blocked'), in GET /items, POST",
    ),
    Case(
        "response-variant-added",
        lambda s: schema(s, "Event")["oneOf"].append(ref("Deleted")),
        "Event: response variant added (a client's exhaustive switch misses it) (Deleted), in GET /events",
        old=lambda s: schema(s, "Event")["oneOf"].pop(),
    ),
    Case(
        "request-variant-removed",
        lambda s: at(s, "paths", "/items", "post", "requestBody").update(**json_of({"oneOf": [ref("ItemCreate")]})),
        "POST /items request body application/json: request variant removed (Deleted)",
        old=lambda s: at(s, "paths", "/items", "post", "requestBody").update(
            **json_of({"oneOf": [ref("ItemCreate"), ref("Deleted")]})
        ),
    ),
    Case(
        "status-added",
        lambda s: at(s, "paths", "/items", "post", "responses").update({"409": {"description": "Taken."}}),
        "POST /items response 409",
    ),
    Case(
        "operation-id-changed",
        lambda s: at(s, "paths", "/items", "get").update(operationId="listAllItems"),
        "GET /items: operationId changed (the SDKs' function is renamed) (listItems → listAllItems)",
    ),
    Case(
        "operation-tag-changed",
        lambda s: at(s, "paths", "/items", "get").update(tags=["board", "items"]),
        "GET /items: first tag changed (the Python SDK's module moves) (items → board)",
    ),
    Case(
        "security-alternative-removed",
        lambda s: at(s, "paths", "/events", "get").update(security=[{"bearer": []}]),
        "GET /events: a way of authenticating is no longer accepted (apiKey query ticket)",
    ),
    Case(
        "parameter-style-changed",
        lambda s: at(s, "paths", "/items", "get", "parameters", 1).update(explode=False),
        "GET /items query parameter status: parameter serialization changed (form, exploded → form)",
    ),
    Case(
        "parameter-made-optional",
        lambda s: None,
        "GET /items query parameter limit: parameter made optional",
        old=lambda s: at(s, "paths", "/items", "get", "parameters", 0).update(required=True),
    ),
    Case(
        "optional-request-body-added",
        lambda s: at(s, "paths", "/items/{id}", "delete").update(requestBody=json_of({})),
        "DELETE /items/{id}: optional request body added",
    ),
    Case(
        "request-body-made-optional",
        lambda s: at(s, "paths", "/items", "post", "requestBody").update(required=False),
        "POST /items: request body made optional",
    ),
    Case(
        "request-field-made-optional",
        lambda s: schema(s, "ItemCreate").update(required=[]),
        "ItemCreate field name: request field made optional, in POST /items",
    ),
    Case(
        "response-header-made-optional",
        lambda s: at(s, "paths", "/items/{id}", "get", "responses", "200", "headers", "ETag").pop("required"),
        "GET /items/{id} response 200 header ETag: response header made optional",
    ),
]


def with_webhook(spec: Spec) -> None:
    """A webhook whose payload is a schema of its own."""
    spec["components"]["schemas"]["Made"] = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    }
    spec["webhooks"] = {
        "item.made": {
            "post": {
                "operationId": "itemMade",
                "parameters": [{"name": "webhook-id", "in": "header", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"required": True, **json_of(ref("Made"))},
                "responses": {"200": {"description": "Heard."}},
            }
        }
    }


CASES += [
    Case("webhook-removed", lambda s: None, "webhook item.made: webhook removed", old=with_webhook),
    Case("webhook-added", with_webhook, "webhook item.made: webhook added"),
]


def test_a_webhook_is_compared_as_an_answer_its_receivers_read() -> None:
    def narrower(spec: Spec) -> None:
        with_webhook(spec)
        schema(spec, "Made")["properties"].pop("name")
        schema(spec, "Made")["properties"]["id"] = {"type": ["integer", "string"]}
        at(spec, "webhooks", "item.made", "post")["parameters"] = []
        schema(spec, "Made")["properties"]["extra"] = {"type": "string"}

    lines = list(breaking.report(breaking.compare(edited(with_webhook), edited(narrower))))
    assert lines == [
        "error [response-header-removed] webhook item.made header webhook-id: response header removed",
        "error [type-changed] Made field id: type changed (integer → integer, string), in webhook item.made",
        "error [response-field-removed] Made field name: response field removed, in webhook item.made",
        "info [response-field-added] Made field extra: response field added, in webhook item.made",
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
    found = [line for line in breaking.report(changes) if f"[{case.rule}]" in line]
    assert found, f"{case.rule} not found in {list(breaking.report(changes))}"
    assert any(case.names in line for line in found), found
    assert all(line.startswith(f"{RULES[case.rule].level} [{case.rule}] ") for line in found)
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

    def renamed(node: Any) -> None:
        """Item is called Thing."""
        if isinstance(node, dict):
            if node.get("$ref") == "#/components/schemas/Item":
                node["$ref"] = "#/components/schemas/Thing"
            if "Item" in node and "ItemCreate" in node:
                node["Thing"] = node.pop("Item")
            for value in node.values():
                renamed(value)
        elif isinstance(node, list):
            for value in node:
                renamed(value)

    assert breaking.compare(BASE, edited(renamed)) == []


def test_only_errors_stop_the_contract() -> None:
    added = edited(lambda s: schema(s, "Item")["properties"].update(color={"type": "string"}))
    changes = breaking.compare(BASE, added)
    assert [change.rule_id for change in changes] == ["response-field-added"] * 4
    assert not breaking.breaks(BASE, added, changes)


def test_a_recursive_schema_is_compared_once() -> None:
    def tree(spec: Spec) -> None:
        children = {"type": "array", "items": ref("Node")}
        parent = {"anyOf": [{**ref("Node"), "description": "Its parent."}, {"type": "null"}]}
        node = {"type": "object", "properties": {"name": {"type": "string"}, "children": children, "parent": parent}}
        schema(spec, "Item")["properties"]["node"] = ref("Node")
        spec["components"]["schemas"]["Node"] = node

    old = edited(tree)
    new = edited(lambda s: schema(s, "Node")["properties"].pop("name"), old)
    assert list(breaking.report(breaking.compare(old, new))) == [
        "error [response-field-removed] Node field name: response field removed, in GET /items, POST /items, "
        "GET /items/{id} and 1 more"
    ]


def test_a_change_to_a_shared_parameter_is_reported_once() -> None:
    def shared(spec: Spec) -> None:
        limit = at(spec, "paths", "/items", "get", "parameters").pop(0)
        spec["components"]["parameters"] = {"Limit": limit}
        for path in ("/items", "/items/{id}"):
            at(spec, "paths", path, "get").setdefault("parameters", []).append(
                {"$ref": "#/components/parameters/Limit"}
            )

    old = edited(shared)
    new = edited(lambda s: s["components"]["parameters"]["Limit"]["schema"].update(maximum=10), old)
    assert list(breaking.report(breaking.compare(old, new))) == [
        "error [request-constraint-tightened] components/parameters/Limit: request constraint tightened "
        "(maximum 100 → 10), in GET /items, GET /items/{id}"
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
    """`python -m codegen.breaking` (as `make lint` runs it) on the real contract, edited, against the
    contract as it is, released as 1.0.0: only the edit shows, whatever the contract holds that is
    not released yet."""
    text = (ROOT / "openapi.yaml").read_text()
    released = tmp_path / "released" / "1.0.0.yaml"
    released.parent.mkdir()
    released.write_text(text.replace(f"version: {VERSION}", "version: 1.0.0", 1))
    contract = yaml.safe_load(text)
    edit(contract)
    changed = tmp_path / "openapi.yaml"
    changed.write_text(yaml.safe_dump(contract, sort_keys=False))
    command = [sys.executable, "-m", "codegen.breaking", "--base", str(released), str(changed)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


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
    assert failed.stdout.splitlines() == [
        "error [response-field-removed] Task field dueDate: response field removed, in GET "
        "/v1/projects/{projectId}/events, GET /v1/projects/{projectId}/tasks, POST /v1/projects/{projectId}/tasks "
        "and 2 more",
        "error [request-constraint-tightened] TaskTitle: request constraint tightened (maxLength 200 → 100), in "
        "POST /v1/projects/{projectId}/tasks, PATCH /v1/projects/{projectId}/tasks/{taskId}",
        f"openapi.yaml {VERSION} breaks clients of the released 1.0.0 (1.0.0.yaml): undo the errors above, or raise "
        "info.version's major version",
    ]


def test_an_optional_field_passes_the_gate_as_info(tmp_path: Path) -> None:
    passed = gate(tmp_path, lambda c: schema(c, "TaskCreate")["properties"].update(labels={"type": "string"}))
    assert passed.returncode == 0
    assert passed.stdout.splitlines() == [
        "info [optional-request-field-added] TaskCreate field labels: optional request field added, in "
        "POST /v1/projects/{projectId}/tasks",
        f"openapi.yaml {VERSION} keeps clients of the released 1.0.0 (1.0.0.yaml) working",
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


def test_null_allowed_either_way_is_the_same() -> None:
    listed = edited(lambda s: schema(s, "Item")["properties"]["name"].update(type=["string", "null"]))
    wrapped = edited(
        lambda s: schema(s, "Item")["properties"].update(name={"anyOf": [{"type": "string"}, {"type": "null"}]})
    )
    assert breaking.compare(listed, wrapped) == [] and breaking.compare(wrapped, listed) == []
    # A request that may now send null loses nothing.
    nullable = edited(
        lambda s: schema(s, "ItemCreate")["properties"].update(
            name={"anyOf": [{"type": "string", "maxLength": 50}, {"type": "null"}]}
        )
    )
    assert breaking.compare(BASE, nullable) == []


def test_variants_are_matched_by_what_they_are_not_by_order() -> None:
    either = [{"type": "string", "maxLength": 5}, {"type": "integer"}]
    old = edited(lambda s: schema(s, "ItemCreate")["properties"].update(note={"anyOf": either}))
    new = edited(lambda s: schema(s, "ItemCreate")["properties"].update(note={"anyOf": either[::-1]}))
    assert breaking.compare(old, new) == []
    tighter = edited(lambda s: schema(s, "ItemCreate")["properties"]["note"]["anyOf"][0].update(maxLength=3), old)
    assert [str(change) for change in breaking.compare(old, tighter)] == [
        "error [request-constraint-tightened] POST /items request body application/json field note (string): "
        "request constraint tightened (maxLength 5 → 3)"
    ]


def test_events_are_matched_by_their_discriminator_value() -> None:
    def discriminated(spec: Spec) -> None:
        schema(spec, "Event")["discriminator"] = {
            "propertyName": "kind",
            "mapping": {"created": "#/components/schemas/Created", "deleted": "#/components/schemas/Deleted"},
        }

    old = edited(discriminated)

    def renamed(spec: Spec) -> None:
        spec["components"]["schemas"]["ItemCreated"] = spec["components"]["schemas"].pop("Created")
        schema(spec, "ItemCreated")["properties"]["item"] = {"type": "string"}
        schema(spec, "Event")["oneOf"][0] = ref("ItemCreated")
        schema(spec, "Event")["discriminator"]["mapping"]["created"] = "#/components/schemas/ItemCreated"

    assert list(breaking.report(breaking.compare(old, edited(renamed, old)))) == [
        "error [type-changed] Event (kind created) field item: type changed (object → string), in GET /events"
    ]


def test_an_answer_that_may_hold_more_types_breaks_clients() -> None:
    union = edited(
        lambda s: schema(s, "Item")["properties"].update(name={"oneOf": [{"type": "string"}, {"type": "object"}]})
    )
    untyped = edited(lambda s: schema(s, "Item")["properties"].update(name={"description": "Anything."}))
    for new in (union, untyped):
        assert {change.rule_id for change in breaking.compare(BASE, new)} == {"type-changed"}
    no_enum = edited(lambda s: schema(s, "Status").pop("enum"))
    assert {(change.rule_id, change.detail) for change in breaking.compare(BASE, no_enum)} == {
        ("response-enum-value-added", "no longer an enum"),
        ("request-constraint-loosened", "no longer an enum"),
    }


def test_a_bound_beside_a_ref_and_in_it_both_apply() -> None:
    def named(spec: Spec) -> None:
        spec["components"]["schemas"]["Name"] = {"type": "string", "maxLength": 50}
        schema(spec, "ItemCreate")["properties"]["name"] = {**ref("Name"), "maxLength": 100}

    old = edited(named)
    new = edited(lambda s: schema(s, "Name").update(maxLength=20), old)
    assert [change.detail for change in breaking.compare(old, new)] == ["maxLength 50 → 20"]


def test_status_codes_are_the_same_quoted_or_not() -> None:
    def unquoted(spec: Spec) -> None:
        for item in spec["paths"].values():
            for operation in item.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"] = {int(status): answer for status, answer in operation["responses"].items()}

    assert breaking.compare(BASE, edited(unquoted)) == []


def test_a_security_scheme_is_what_it_asks_not_its_name() -> None:
    def renamed(spec: Spec) -> None:
        schemes = spec["components"]["securitySchemes"]
        schemes["token"] = schemes.pop("bearer")
        spec["security"] = [{"token": []}]
        at(spec, "paths", "/events", "get")["security"] = [{"token": []}, {"ticket": []}]

    assert breaking.compare(BASE, edited(renamed)) == []
    renamed_query = edited(lambda s: s["components"]["securitySchemes"]["ticket"].update(name="t"))
    assert [str(change) for change in breaking.compare(BASE, renamed_query)] == [
        "error [security-alternative-removed] GET /events: a way of authenticating is no longer accepted "
        "(apiKey query ticket)"
    ]


def test_an_unreadable_contract_is_named_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(breaking.Unreadable, match=r"info.version 'v2.0.0' is not a version"):
        breaking.breaks(BASE, edited(lambda s: s["info"].update(version="v2.0.0")), [])
    dangling = edited(lambda s: schema(s, "Item")["properties"].update(name=ref("Nmae")))
    with pytest.raises(breaking.Unreadable, match="Nmae does not resolve"):
        breaking.compare(BASE, dangling)

    failed = gate(tmp_path, lambda c: c["info"].update(version="v2"))
    assert failed.returncode == 2
    assert failed.stdout.splitlines() == [
        "openapi.yaml cannot be compared with the released 1.0.0 (1.0.0.yaml): info.version 'v2' is not a version "
        "such as 1.2.0"
    ]
