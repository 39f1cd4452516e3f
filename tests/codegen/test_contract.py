import copy
import filecmp
from pathlib import Path
from typing import Any

import pytest

from codegen import contract, stubs
from codegen.rules import RULES, document

# The contract and the code made from it, no database: once.
pytestmark = pytest.mark.once

SPEC = contract.load(Path(__file__).resolve().parents[2] / "openapi.yaml")


def spec_with(change: Any) -> dict[str, Any]:
    spec = copy.deepcopy(SPEC)
    change(spec)
    return spec


def test_reads_every_operation_of_the_contract() -> None:
    ops = {op.operation_id: op for op in contract.operations(SPEC)}
    assert set(ops) == {
        "createUser",
        "getCurrentUser",
        "updateCurrentUser",
        "getUser",
        "createToken",
        "revokeCurrentToken",
        "getHealth",
        "getReadiness",
        "listUsers",
        "listProjects",
        "createProject",
        "getProject",
        "updateProject",
        "deleteProject",
        "listMembers",
        "addMember",
        "removeMember",
        "listProjectInvitations",
        "createInvitation",
        "revokeInvitation",
        "listInvitations",
        "streamInvitations",
        "getInvitation",
        "acceptInvitation",
        "declineInvitation",
        "listTasks",
        "createTask",
        "getTask",
        "updateTask",
        "deleteTask",
        "streamProjectEvents",
        "createStreamTicket",
        "listExports",
        "createExport",
        "getExport",
        "downloadExport",
    }
    create = ops["createUser"]
    assert (create.method, create.path, create.tag, create.success_status) == ("post", "/v1/users", "users", 201)
    assert create.security == ops["getUser"].security == () and ops["getCurrentUser"].security == ("bearerAuth",)
    assert create.body_model == "UserCreate" and create.success_models == ("User",)
    assert [(h.name, h.required) for h in create.success_headers] == [("Location", True)]
    assert set(create.errors) == {400, 408, 409, 413, 415, 422, 429, 503}
    [user_id] = ops["getUser"].params
    assert (user_id.name, user_id.py_name, user_id.location) == ("userId", "user_id", "path")
    assert user_id.schema["maximum"] == 9223372036854775807
    get_task = ops["getTask"]
    assert get_task.not_modified and [p.name for p in get_task.handler_params] == ["projectId", "taskId"]
    add_member = ops["addMember"]
    assert add_member.success_statuses == (200, 201, 202)
    assert add_member.success_models == ("Member", "Invitation")
    assert add_member.success_type == "models.Member | models.Invitation"
    status = next(p for p in ops["listTasks"].params if p.name == "status")
    assert status.schema["items"]["enum"] == ["todo", "in_progress", "done"]


def _drop_operation_id(spec: dict[str, Any]) -> None:
    del spec["paths"]["/v1/users"]["post"]["operationId"]


def _drop_tag(spec: dict[str, Any]) -> None:
    del spec["paths"]["/v1/users"]["post"]["tags"]


def _unbounded_integer(spec: dict[str, Any]) -> None:
    spec["paths"]["/v1/users/{userId}"]["get"]["parameters"] = [
        {"name": "userId", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
        {"$ref": "#/components/parameters/RequestId"},
    ]


def _number_parameter(spec: dict[str, Any]) -> None:
    spec["paths"]["/v1/users/{userId}"]["get"]["parameters"].append(
        {"name": "x", "in": "query", "schema": {"type": "number"}}
    )


def _default_response(spec: dict[str, Any]) -> None:
    spec["paths"]["/v1/users/{userId}"]["get"]["responses"]["default"] = {"description": "anything"}


def _kebab_operation_id(spec: dict[str, Any]) -> None:
    spec["paths"]["/v1/users"]["post"]["operationId"] = "create-user"


# What every response documents (the service sets them on every answer).
EVERY_ANSWER = {
    "Cache-Control": {"$ref": "#/components/headers/NoStore"},
    "X-Content-Type-Options": {"$ref": "#/components/headers/NoSniff"},
    "X-Request-ID": {"$ref": "#/components/headers/RequestId"},
}


def _plain_json_error(spec: dict[str, Any]) -> None:
    spec["paths"]["/v1/users/{userId}"]["get"]["responses"]["404"] = {
        "description": "gone",
        "headers": EVERY_ANSWER,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }


def _without_nosniff(spec: dict[str, Any]) -> None:
    spec["paths"]["/v1/users/{userId}"]["get"]["responses"]["200"]["headers"] = {
        "Cache-Control": {"$ref": "#/components/headers/NoStore"},
        "X-Request-ID": {"$ref": "#/components/headers/RequestId"},
    }


def _without_request_id(spec: dict[str, Any]) -> None:
    get_user = spec["paths"]["/v1/users/{userId}"]["get"]
    get_user["parameters"] = [p for p in get_user["parameters"] if "RequestId" not in p.get("$ref", "")]


def _body_without_408(spec: dict[str, Any]) -> None:
    del spec["paths"]["/v1/users"]["post"]["responses"]["408"]


def _429_without_retry_after(spec: dict[str, Any]) -> None:
    spec["paths"]["/v1/users"]["post"]["responses"]["429"] = {
        "description": "slow down",
        "headers": EVERY_ANSWER,
        "content": {"application/problem+json": {"schema": {"type": "object"}}},
    }


@pytest.mark.parametrize(
    ("change", "finding"),
    [
        (
            _body_without_408,
            "createUser (POST /v1/users): an operation with a body must document [408]"
            " [body-errors] at #/paths/~1v1~1users/post/responses",
        ),
        (
            _429_without_retry_after,
            "createUser (POST /v1/users): a 429 must document Retry-After"
            " [rate-limited] at #/paths/~1v1~1users/post/responses/429/headers",
        ),
        (
            _drop_operation_id,
            "POST /v1/users: every operation needs an operationId [operation-id] at #/paths/~1v1~1users/post",
        ),
        (
            _drop_tag,
            "createUser (POST /v1/users): every operation needs exactly one tag"
            " [one-tag] at #/paths/~1v1~1users/post/tags",
        ),
        (
            _unbounded_integer,
            "getUser (GET /v1/users/{userId}): integer parameter userId needs a minimum and a maximum"
            " [bounded-integer] at #/paths/~1v1~1users~1{userId}/get/parameters/0",
        ),
        (
            _plain_json_error,
            "getUser (GET /v1/users/{userId}): the 404 response must be application/problem+json only"
            " [problem-errors] at #/paths/~1v1~1users~1{userId}/get/responses/404",
        ),
        (
            _without_nosniff,
            "getUser (GET /v1/users/{userId}): the 200 response must document X-Content-Type-Options"
            " [every-answer-headers] at #/paths/~1v1~1users~1{userId}/get/responses/200",
        ),
        (
            _without_request_id,
            "getUser (GET /v1/users/{userId}): every operation documents the X-Request-ID request header"
            " [request-id] at #/paths/~1v1~1users~1{userId}/get/parameters",
        ),
        (
            _number_parameter,
            "getUser (GET /v1/users/{userId}): parameter x must be a plain integer, string or boolean"
            " (or an array of one) [parameter-type] at #/paths/~1v1~1users~1{userId}/get/parameters/2",
        ),
        (
            _default_response,
            "getUser (GET /v1/users/{userId}): responses need explicit status codes,"
            " not ['200', '400', '404', '422', '429', '503', 'default']"
            " [status-codes] at #/paths/~1v1~1users~1{userId}/get/responses",
        ),
        (
            _kebab_operation_id,
            "POST /v1/users: operationId 'create-user' must be camelCase letters and digits"
            " [operation-id] at #/paths/~1v1~1users/post/operationId",
        ),
    ],
)
def test_refuses_contracts_that_break_the_house_rules(change: Any, finding: str) -> None:
    with pytest.raises(contract.ContractError) as error:
        contract.operations(spec_with(change))
    assert [str(f) for f in error.value.findings] == [finding]
    assert finding.rpartition(" [")[2].partition("]")[0] in RULES


def test_every_broken_rule_is_reported_in_one_run() -> None:
    def many(spec: dict[str, Any]) -> None:
        for change in (_body_without_408, _drop_tag, _unbounded_integer, _without_nosniff, _kebab_operation_id):
            change(spec)

    with pytest.raises(contract.ContractError) as error:
        contract.operations(spec_with(many))
    rules = sorted(f.rule for f in error.value.findings)
    assert rules == ["body-errors", "bounded-integer", "every-answer-headers", "one-tag", "operation-id"]


def test_the_house_rules_document_is_written_from_the_rules() -> None:
    written = (Path(__file__).resolve().parents[2] / "docs" / "house-rules.md").read_text()
    assert written == document()
    assert all(f"| `{name}` | {rule.says} |" in written for name, rule in RULES.items())


def _drop_429(spec: dict[str, Any]) -> None:
    del spec["paths"]["/v1/users"]["post"]["responses"]["429"]


def _drop_401(spec: dict[str, Any]) -> None:
    del spec["paths"]["/v1/users/me"]["get"]["responses"]["401"]


def _drop_422(spec: dict[str, Any]) -> None:
    del spec["paths"]["/v1/users/{userId}"]["get"]["responses"]["422"]


def _drop_428(spec: dict[str, Any]) -> None:
    del spec["paths"]["/v1/projects/{projectId}"]["patch"]["responses"]["428"]


@pytest.mark.parametrize(
    ("change", "rule", "missing"),
    [
        (_drop_429, "rate-limited", "[429]"),
        (_drop_401, "authentication-errors", "[401]"),
        (_drop_422, "parameter-errors", "[422]"),
        (_drop_428, "precondition", "[428]"),
    ],
)
def test_every_status_the_route_answers_itself_is_documented(change: Any, rule: str, missing: str) -> None:
    with pytest.raises(contract.ContractError) as error:
        contract.operations(spec_with(change))
    [finding] = error.value.findings
    assert finding.rule == rule and finding.message.endswith(f"must document {missing}")


def test_rate_limits_follow_the_contract_not_a_documented_429() -> None:
    ops = {op.operation_id: op for op in contract.operations(SPEC)}
    assert [name for name, op in ops.items() if not op.limited] == ["getHealth", "getReadiness"]
    assert 429 not in ops["getHealth"].errors

    def opted_out(spec: dict[str, Any]) -> None:
        spec["paths"]["/v1/users"]["post"]["x-rate-limited"] = False

    assert not next(op for op in contract.operations(spec_with(opted_out)) if op.operation_id == "createUser").limited


def test_snake_case() -> None:
    assert contract.snake_case("createUser") == "create_user"
    assert contract.snake_case("If-Match") == "if_match"
    assert contract.snake_case("userId") == "user_id"
    assert contract.snake_case("ETag") == "etag"


def test_stub_output_is_deterministic(tmp_path: Path) -> None:
    ops = contract.operations(SPEC)
    stubs.write(ops, tmp_path / "a")
    stubs.write(list(ops), tmp_path / "b")
    comparison = filecmp.dircmp(tmp_path / "a", tmp_path / "b")
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only
    assert not filecmp.dircmp(tmp_path / "a" / "api", tmp_path / "b" / "api").diff_files


def test_literal_paths_are_routed_before_templates(tmp_path: Path) -> None:
    def templated_first(spec: dict[str, Any]) -> None:
        paths = spec["paths"]
        spec["paths"] = {"/v1/users/{userId}": paths.pop("/v1/users/{userId}"), **paths}

    stubs.write(contract.operations(spec_with(templated_first)), tmp_path)
    module = (tmp_path / "api" / "users.py").read_text()
    assert module.index('"/v1/users/me"') < module.index('"/v1/users/{userId}"')


def test_each_route_asks_for_its_context_by_security_rate_limit_and_query(tmp_path: Path) -> None:
    def health_checks_limited(spec: dict[str, Any]) -> None:
        del spec["paths"]["/healthz"]["get"]["x-rate-limited"]
        spec["paths"]["/healthz"]["get"]["responses"]["429"] = spec["paths"]["/v1/users"]["post"]["responses"]["429"]

    ops = contract.operations(spec_with(health_checks_limited))
    stubs.write(ops, tmp_path)
    health = (tmp_path / "api" / "health.py").read_text()
    users = (tmp_path / "api" / "users.py").read_text()
    assert "def router(handlers: type[HealthApi], *, context: RequestContext)" in health
    assert health.count("Depends(context(security=(), limited=True, query=())") == 1  # /healthz, now limited
    assert health.count("Depends(context(security=(), limited=False, query=())") == 1  # /readyz
    assert users.count("Depends(context(security=('bearerAuth',), limited=True, query=())") == 2  # /users/me
    assert users.count("Depends(context(security=('bearerAuth',), limited=True, query=('cursor', 'limit'))") == 1
    assert users.count("Depends(context(security=(), limited=True, query=())") == 2  # createUser, getUser
    assert users.count("Depends(") == sum(op.tag == "users" for op in ops)  # one dependency a route


def test_shared_error_answers_are_written_once(tmp_path: Path) -> None:
    stubs.write(contract.operations(SPEC), tmp_path)
    unauthenticated = SPEC["components"]["responses"]["Unauthenticated"]["description"]
    modules = {path.name: path.read_text() for path in (tmp_path / "api").glob("*.py")}
    assert modules["__init__.py"].count(repr(unauthenticated)) == 1
    routes = [text for name, text in modules.items() if name != "__init__.py"]
    assert not any(unauthenticated in text or repr(unauthenticated) in text for text in routes)
    assert sum(text.count("401: RESPONSES['Unauthenticated']") for text in routes) > 10  # before ruff formats it
