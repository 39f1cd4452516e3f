"""Constructs of OpenAPI that the contract does not use yet, generated into stubs that import and
serve: names that are Python keywords or the stubs' own, a tag that is no identifier, a query array
of bounded items, a date parameter's default; and the constructs refused, each by its rule."""

import copy
import datetime
import importlib.util
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from codegen import contract, stubs
from generated import models

pytestmark = pytest.mark.once

SPEC = contract.load(Path(__file__).resolve().parents[2] / "openapi.yaml")
EVERY_ANSWER = {
    "Cache-Control": {"$ref": "#/components/headers/NoStore"},
    "X-Content-Type-Options": {"$ref": "#/components/headers/NoSniff"},
    "X-Request-ID": {"$ref": "#/components/headers/RequestId"},
}


def _operation(operation_id: str, tag: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "tags": [tag],
        "security": [],
        "x-rate-limited": False,
        "parameters": [*parameters, {"$ref": "#/components/parameters/RequestId"}],
        "responses": {
            "200": {
                "description": "done",
                "headers": EVERY_ANSWER,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
            },
            "400": {"$ref": "#/components/responses/UnknownQueryParameter"},
            "422": {"$ref": "#/components/responses/ValidationFailed"},
        },
    }


def _query(name: str, schema: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, **more}


DRILL = _operation(
    "importFrom",
    "import",
    [
        {"name": "from", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 9}},
        _query("ids", {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 99}}),
        _query("body", {"type": "string"}),
        _query("request", {"type": "string"}),
        _query("since", {"type": "string", "format": "date", "default": "2024-01-31"}),
    ],
)


UPLOAD = {
    **_operation("uploadFrom", "import", [_query("from", {"type": "integer", "minimum": 1, "maximum": 9})]),
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/DrillUpload"}}},
    },
}
UPLOAD["responses"] |= {
    str(status): {"$ref": f"#/components/responses/{name}"}
    for status, name in [
        (400, "MalformedRequest"),
        (408, "RequestTimeout"),
        (413, "ContentTooLarge"),
        (415, "UnsupportedMediaType"),
    ]
}
DRILL_UPLOAD = {
    "type": "object",
    "required": ["file"],
    "additionalProperties": False,
    "properties": {
        "file": {"type": "string", "format": "binary"},
        "caption": {"type": "string", "maxLength": 10},
        "count": {"type": "integer", "minimum": 1, "maximum": 5, "default": 1},
    },
}


DOWNLOAD = _operation("downloadFrom", "import", [])
DOWNLOAD["responses"]["200"] = {
    "description": "A file of bytes.",
    "headers": {**EVERY_ANSWER, "Content-Disposition": {"required": True, "schema": {"type": "string"}}},
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}
WEBHOOK = {
    "operationId": "taskDone",
    "summary": "A task is done",
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
    },
    "responses": {"200": {"description": "Heard."}},
}


def spec_with(paths: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(SPEC)
    spec["paths"] |= paths
    spec["components"]["schemas"]["DrillUpload"] = DRILL_UPLOAD
    return spec


def _import(path: Path) -> ModuleType:
    loaded = importlib.util.spec_from_file_location(f"drill_{path.stem}", path)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    sys.modules[loaded.name] = module
    loaded.loader.exec_module(module)
    return module


def drill_spec() -> dict[str, Any]:
    """The contract with every construct above: the drill's (test_drill.py)."""
    version = _operation("getVersion", "2.0", [])
    paths = {
        "/v1/drill/{from}": {"get": DRILL},
        "/v1/drill": {"post": UPLOAD},
        "/v1/drill/file": {"get": DOWNLOAD},
        "/v1/version": {"get": version},
    }
    spec = spec_with(paths)
    spec["webhooks"] = {"task.done": {"post": WEBHOOK}}
    return spec


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    out = tmp_path_factory.mktemp("stubs")
    operations, webhooks = contract.read(drill_spec())
    stubs.write(operations, out, tuple(webhooks))
    modules = {name: _import(out / "api" / f"{name}.py") for name in ("import_", "_2_0")}
    modules["webhooks"] = _import(out / "webhooks.py")
    yield modules
    for module in modules.values():
        sys.modules.pop(module.__name__, None)


def test_names_that_are_keywords_or_the_stubs_own_are_renamed(generated: dict[str, ModuleType]) -> None:
    api = generated["import_"].ImportApi
    assert list(api.import_from.__annotations__)[:5] == ["from_", "ids", "body_", "request_", "since"]
    assert generated["_2_0"].Tag20Api.get_version.__isabstractmethod__


def _context(**_: Any) -> Any:
    async def nothing() -> AsyncIterator[None]:
        yield None

    return nothing


@pytest.fixture
async def client(generated: dict[str, ModuleType]) -> AsyncIterator[tuple[httpx.AsyncClient, list[dict[str, Any]]]]:
    calls: list[dict[str, Any]] = []

    class Handlers(generated["import_"].ImportApi):  # type: ignore[misc]
        def __init__(self, context: Any) -> None:
            pass

        async def import_from(self, **arguments: Any) -> models.Health:
            calls.append(arguments)
            return models.Health(status=models.HealthStatus.OK)

        async def upload_from(self, *, body: Any, from_: int | None = None) -> models.Health:
            upload = body.file
            content = b"".join([chunk async for chunk in upload.chunks(2)])
            calls.append({"from_": from_, "file": (upload.filename, upload.media_type, upload.size, content)})
            calls[-1] |= body.model_dump(exclude={"file"})
            return models.Health(status=models.HealthStatus.OK)

        async def download_from(self) -> Any:
            raise NotImplementedError  # served in the drill (test_drill.py)

    app = FastAPI()
    app.include_router(generated["import_"].router(Handlers, context=_context))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://drill") as http:
        yield http, calls


async def test_renamed_parameters_and_bounded_array_items_are_served(
    client: tuple[httpx.AsyncClient, list[dict[str, Any]]],
) -> None:
    http, calls = client
    answer = await http.get("/v1/drill/3", params={"ids": ["4", "5", "6"], "body": "b", "request": "r"})
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    assert calls == [{"from_": 3, "ids": [4, 5, 6], "body_": "b", "request_": "r", "since": datetime.date(2024, 1, 31)}]
    for refused in ("ids=4&ids=x", "ids=4&ids=100", "ids=", "since=2024-02-30", "since=0"):
        answer = await http.get(f"/v1/drill/3?{refused}")
        assert answer.status_code == 422, refused
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("parameter", "rule", "says"),
    [
        ({"name": "c", "in": "cookie", "schema": {"type": "string"}}, "parameter-location", "a cookie"),
        (
            _query("f", {"type": "object", "properties": {"a": {"type": "string"}}}, style="deepObject"),
            "parameter-type",
            "an object (style: deepObject)",
        ),
        (
            _query("p", {"type": "array", "items": {"type": "string"}}, style="pipeDelimited"),
            "parameter-style",
            "style pipeDelimited",
        ),
        (
            _query("e", {"type": "array", "items": {"type": "string"}}, explode=False),
            "parameter-style",
            "style form, not exploded",
        ),
        (_query("d", {"type": "string", "format": "date", "default": "soon"}), "parameter-type", "default is no date"),
    ],
)
def test_a_construct_the_generators_cannot_serve_is_refused_by_name(
    parameter: dict[str, Any], rule: str, says: str
) -> None:
    spec = spec_with({"/v1/drill": {"get": _operation("drill", "drill", [parameter])}})
    with pytest.raises(contract.ContractError) as error:
        contract.operations(spec)
    [finding] = error.value.findings
    assert (finding.rule, finding.pointer) == (rule, "/paths/~1v1~1drill/get/parameters/0")
    assert says in finding.message


def test_names_that_meet_in_python_are_refused_naming_both() -> None:
    both = [_query("userId", {"type": "string"}), _query("user_id", {"type": "string"})]
    twins = {
        "/v1/a": {"get": _operation("getHttp", "a", [])},
        "/v1/b": {"get": _operation("getHTTP", "a-b", [])},
        "/v1/c": {"get": _operation("other", "a_b", [])},
        "/v1/d": {"get": _operation("yetAnother", "a", both)},
    }
    with pytest.raises(contract.ContractError) as error:
        contract.operations(spec_with(twins))
    messages = sorted(f.message for f in error.value.findings)
    assert messages == [
        "operationId 'getHTTP' and 'getHttp' (of getHttp) are both get_http in Python",
        "parameters 'userId' and 'user_id' are both user_id in Python",
        "tag 'a_b' and 'a-b' (of getHTTP) are both a_b in Python",
    ]


def test_a_schema_name_the_models_would_spell_otherwise_is_refused() -> None:
    spec = spec_with({})
    spec["components"]["schemas"]["dataSetList"] = {"type": "object"}
    with pytest.raises(contract.ContractError) as error:
        contract.operations(spec)
    [finding] = error.value.findings
    assert (finding.rule, finding.pointer) == ("schema-name", "/components/schemas/dataSetList")


async def test_a_form_body_gives_the_handler_its_typed_fields_and_the_file_to_stream(
    client: tuple[httpx.AsyncClient, list[dict[str, Any]]],
) -> None:
    http, calls = client
    file = ("notes.txt", b"hello world", "text/plain")
    answer = await http.post("/v1/drill?from=2", files={"file": file}, data={"caption": "hi", "count": "3"})
    assert answer.status_code == 200, answer.text
    uploaded = ("notes.txt", "text/plain", 11, b"hello world")
    assert calls == [{"from_": 2, "file": uploaded, "caption": "hi", "count": 3}]
    answer = await http.post("/v1/drill", files={"file": ("a.bin", b"\0", "application/octet-stream")})
    assert answer.status_code == 200 and calls[-1] == {
        "from_": None,
        "file": ("a.bin", "application/octet-stream", 1, b"\0"),
        "caption": None,
        "count": 1,
    }


@pytest.mark.parametrize(
    ("data", "files", "status", "where"),
    [
        ({"caption": "hi"}, None, 422, ("body", "file")),
        ({"count": "x"}, {"file": ("a", b"a")}, 422, ("body", "count")),
        ({"count": "6"}, {"file": ("a", b"a")}, 422, ("body", "count")),
        ({"caption": "x" * 11}, {"file": ("a", b"a")}, 422, ("body", "caption")),
        ({"other": "x"}, {"file": ("a", b"a")}, 422, ("body", "other")),
        ({"file": "text, not a file"}, None, 422, ("body", "file")),
        ({"caption": ["a", "b"]}, {"file": ("a", b"a")}, 422, ("body", "caption")),
        ({}, {"file": ("a", b"a"), "extra": ("b", b"b")}, 400, None),  # more files than the form has
    ],
)
async def test_a_form_body_is_validated_as_strictly_as_json(
    client: tuple[httpx.AsyncClient, list[dict[str, Any]]],
    data: dict[str, Any],
    files: dict[str, Any] | None,
    status: int,
    where: tuple[str, str] | None,
) -> None:
    http, calls = client
    if files is None:  # a form of fields alone, which httpx would send urlencoded
        fields = "".join(f'--b\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in data.items())
        multipart = {"content-type": "multipart/form-data; boundary=b"}
        answer = await http.post("/v1/drill", content=f"{fields}--b--\r\n", headers=multipart)
    else:
        answer = await http.post("/v1/drill", data=data, files=files)
    assert answer.status_code == status, answer.text
    if where is not None:
        assert [tuple(error["loc"]) for error in answer.json()["detail"]] == [where]
    assert calls == []


async def test_a_form_body_refuses_json_and_malformed_forms(
    client: tuple[httpx.AsyncClient, list[dict[str, Any]]],
) -> None:
    http, calls = client
    assert (await http.post("/v1/drill", json={"caption": "hi"})).status_code == 415
    garbage = {"content-type": "multipart/form-data; boundary=x"}
    assert (await http.post("/v1/drill", content=b"--y\r\nnothing", headers=garbage)).status_code == 400
    assert calls == []


def test_a_webhook_gets_a_typed_method_of_the_sender(generated: dict[str, ModuleType]) -> None:
    module = generated["webhooks"]
    assert (module.Webhook("task.done", "taskDone", models.Health),) == module.WEBHOOKS
    assert module.WebhookSender.__abstractmethods__ == frozenset({"task_done"})
    assert module.WebhookSender.task_done.__annotations__ == {"payload": models.Health, "return": None}


@pytest.mark.parametrize(
    ("webhook", "rule"),
    [
        ({"get": WEBHOOK}, "webhook"),
        ({"post": {**WEBHOOK, "requestBody": {"content": {"text/plain": {}}}}}, "webhook"),
        ({"post": {**WEBHOOK, "operationId": "task-done"}}, "operation-id"),
        ({"post": {**WEBHOOK, "responses": {"400": {"description": "No."}}}}, "success"),
    ],
)
def test_a_webhook_the_sender_could_not_type_is_refused(webhook: dict[str, Any], rule: str) -> None:
    spec = spec_with({})
    spec["webhooks"] = {"task.done": webhook}
    with pytest.raises(contract.ContractError) as error:
        contract.read(spec)
    assert [(f.rule, f.where) for f in error.value.findings] == [(rule, "webhook task.done")]
