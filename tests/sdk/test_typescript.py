"""The TypeScript SDK (sdk/typescript): built as its package builds, driven against real servers by
node's own test runner (tests/sdk/typescript/) and in a headless Chromium, its README examples
type-checked, and packed into a tarball that installs and runs in an empty project."""

import gzip
import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import page_run, static_pages
from tests.conftest import UNLIMITED
from tests.factories import create_project, create_task, sign_up
from tests.live import LiveServer
from tests.sdk.node import ROOT, TESTS, TOOLS, run

# Node's work is the same on either database: once.
pytestmark = pytest.mark.once


def test_the_board_flow_with_typed_errors_events_retries_and_timeouts(
    built: None, database_url: str, tmp_path: Path
) -> None:
    common = {"EXPORT_DIR": str(tmp_path / "exports")}
    # A second server on the same database that allows each user three requests a second.
    limited = {**UNLIMITED, **common, "RATE_LIMIT_PER_USER": "3", "RATE_LIMIT_PERIOD": "PT1S"}
    with LiveServer(database_url, {**UNLIMITED, **common}) as api, LiveServer(database_url, limited) as slow:
        env = {**os.environ, "TASKBOARD_URL": api.url, "TASKBOARD_LIMITED_URL": slow.url}
        # A test that hangs fails by name after 2 minutes, and the others still report.
        node = ("node", "--expose-gc", "--test", "--test-timeout=120000", "--test-reporter=tap")
        report = run(*node, *sorted((TESTS / "build").glob("*.test.mjs")), env=env)
    assert f"# pass {_tests_in(TESTS.glob('*.test.mts'))}" in report and "# fail 0" in report, report


def test_the_readmes_typescript_examples_type_check_strictly(built: None, tmp_path: Path) -> None:
    section = (ROOT / "README.md").read_text().split("## Using the TypeScript SDK", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"```ts\n(.*?)```", section, re.S)
    assert len(examples) >= 4, "the README's TypeScript section should show its SDK in ```ts blocks"
    # Inside the project, so that `@taskboard/sdk` resolves as it does for a frontend that installed it.
    folder = TESTS / "build" / "readme"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for number, example in enumerate(examples, 1):
        files.append(folder / f"example{number}.mts")
        files[-1].write_text(example)
    strict = ("--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--lib", "es2022,dom")
    run(TOOLS / "tsc", *strict, "--types", "node", *files)


def test_make_sdk_makes_packages_that_install_and_run_in_an_empty_project(
    built: None, live_server: LiveServer, tmp_path: Path
) -> None:
    run("make", "--no-print-directory", "sdk", f"SDK_DIST={tmp_path}")
    [tarball] = tmp_path.glob("taskboard-sdk-*.tgz")
    assert [wheel.name for wheel in tmp_path.glob("taskboard_client-*.whl")] == [
        "taskboard_client-1.2.0-py3-none-any.whl"
    ]
    listing = set(run("tar", "-tzf", tarball).split())
    assert {
        "package/dist/index.js",
        "package/dist/index.d.ts",
        "package/src/schema.ts",
        "package/package.json",
    } <= listing
    assert {"package/dist/query.js", "package/dist/validators.js", "package/dist/validators.gen.js"} <= listing
    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").write_text(json.dumps({"name": "frontend", "private": True, "type": "module"}))
    run("npm", "install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball, cwd=app)
    # TanStack Query is not installed: the query subpath imports only its types.
    script = (
        "import { createClient, unwrap } from '@taskboard/sdk';"
        "import { createQueries } from '@taskboard/sdk/query';"
        f"const client = createClient({{ baseUrl: {json.dumps(live_server.url)} }});"
        "const ready = await unwrap(client.GET('/readyz'));"
        "const queried = await createQueries(client).query('/readyz').queryFn({ signal: AbortSignal.timeout(5000) });"
        "console.log(JSON.stringify([ready, queried]));"
    )
    shown = run("node", "--input-type=module", "-e", script, cwd=app)
    expected = httpx.get(f"{live_server.url}/readyz").json()
    assert json.loads(shown) == [expected, expected]


# The SDK's suite in a page of a frontend's origin, its modules loaded as a bundle would load them (ES
# modules, by an import map), with node:test and node:assert/strict as the page's small stand-ins.
SUITE = """<!DOCTYPE html><html><head><script type="importmap">{"imports": IMPORTS}</script></head>
<body><pre id="out">pending</pre><script type="module">
globalThis.process = {env: ENV, pid: 0};
try {
  const {run} = await import("node:test");
  for (const file of FILES) await import(file);
  document.getElementById("out").textContent = JSON.stringify(await run());
} catch (error) {
  document.getElementById("out").textContent = JSON.stringify([{name: "loading", ok: false, error: String(error)}]);
}
</script></body></html>"""
# The suites that run in a browser: node.test.mjs holds what only Node has, eventsource.suite.mjs what
# only a browser has.
IN_BROWSERS = ("board.test.mjs", "parts.test.mjs", "query.test.mjs", "eventsource.suite.mjs")


@pytest.mark.serial  # a browser takes the machine
def test_the_sdks_suite_passes_in_a_browser_with_no_call_cancelled(
    built: None, database_url: str, tmp_path: Path
) -> None:
    pages = tmp_path / "pages"
    imports = _frontend_modules(pages)
    shutil.copytree(TESTS / "build", pages / "tests")
    imports |= {"node:test": "./tests/browser/test.mjs", "node:assert/strict": "./tests/browser/assert.mjs"}
    with static_pages(pages) as frontend:
        common = {**UNLIMITED, "CORS_ORIGINS": frontend.url, "EXPORT_DIR": str(tmp_path / "exports")}
        limited = {**common, "RATE_LIMIT_PER_USER": "3", "RATE_LIMIT_PERIOD": "PT1S"}
        with LiveServer(database_url, common) as api, LiveServer(database_url, limited) as slow:
            env = {"TASKBOARD_URL": api.url, "TASKBOARD_LIMITED_URL": slow.url}
            files = [f"./tests/{name}" for name in IN_BROWSERS]
            page = SUITE.replace("IMPORTS", json.dumps(imports)).replace("ENV", json.dumps(env))
            (pages / "suite.html").write_text(page.replace("FILES", json.dumps(files)))
            outcomes, failed = page_run(f"{frontend.url}/suite.html", tmp_path / "profile", seconds=240)
    assert isinstance(outcomes, list)
    failures = [f"{o['name']}: {o['error']}" for o in outcomes if not o["ok"]]
    assert not failures, "\n\n".join(failures)
    in_browsers = _tests_in(TESTS / name.replace(".mjs", ".mts") for name in IN_BROWSERS)
    assert len(outcomes) == in_browsers, [o["name"] for o in outcomes]
    # Only the streams that the tests leave, or cut at a deadline, are cancelled: no call that got its
    # whole answer shows as failed (DevTools' "(canceled)"), as a frontend's end-to-end checks require.
    assert [r for r in failed if not r["url"].split("?")[0].endswith("/events")] == []


def _tests_in(suites: Iterable[Path]) -> int:
    """How many tests the suites declare: each is a top-level `test(…)`."""
    return sum(len(re.findall(r"^test\(", suite.read_text(), re.MULTILINE)) for suite in suites)


def _frontend_modules(pages: Path) -> dict[str, str]:
    """The built SDK and its dependencies in `pages`, and the import map that finds them."""
    shutil.copytree(ROOT / "sdk" / "typescript" / "dist", pages / "sdk")
    shutil.copyfile(ROOT / "node_modules" / "openapi-fetch" / "dist" / "index.mjs", pages / "openapi-fetch.js")
    otel = ROOT / "node_modules" / "@opentelemetry" / "api" / "build" / "esm"
    shutil.copytree(otel, pages / "otel")
    # OpenTelemetry's modules import each other without the `.js` that bundlers add: the map adds it
    # (by relative address, which the page's base resolves).
    shutil.copytree(ROOT / "node_modules" / "zod", pages / "zod")
    shutil.copytree(ROOT / "node_modules" / "@tanstack" / "query-core" / "build" / "modern", pages / "query-core")
    return {
        "@taskboard/sdk": "./sdk/index.js",
        "@taskboard/sdk/validators": "./sdk/validators.js",
        "@taskboard/sdk/query": "./sdk/query.js",
        "@tanstack/query-core": "./query-core/index.js",
        "zod": "./zod/index.js",
        "openapi-fetch": "./openapi-fetch.js",
        "@opentelemetry/api": "./otel/index.js",
    } | {f"./otel/{m.relative_to(otel).with_suffix('')}": f"./otel/{m.relative_to(otel)}" for m in otel.rglob("*.js")}


def test_the_sdk_imports_no_opentelemetry_and_stays_small(built: None) -> None:
    # What `import ... from "@taskboard/sdk"` loads: its entry and the modules it imports, not the
    # subpaths (validators, query) that an app imports only when it uses them.
    dist = ROOT / "sdk" / "typescript" / "dist"
    loaded, pending = {}, ["index.js"]
    while pending:
        name = pending.pop()
        if name not in loaded:
            loaded[name] = (dist / name).read_text()
            pending += re.findall(r'from "\./([\w.]+\.js)"', loaded[name])
    code = "".join(loaded[name] for name in sorted(loaded))
    assert "@opentelemetry" not in code and "zod" not in code  # OpenTelemetry: read from its global
    assert {"client.js", "problems.js", "events.js"} <= loaded.keys() and "validators.js" not in loaded
    assert len(gzip.compress(code.encode(), 9)) < 8 * 1024  # as built, comments and all: 7.2 KB


# Bad bodies, each refused by the service and by the validators alike: (operation's schema, body).
BAD_BODIES = [
    ("TaskCreate", {}),
    (
        "TaskCreate",
        {"title": "", "status": "doing", "dueDate": "2026-13-01", "assigneeId": "5", "description": "x" * 10001},
    ),
    ("TaskCreate", {"title": "a\u0007b", "assigneeId": 0}),
    ("TaskCreate", {"title": "x" * 201, "assigneeId": 1.5}),
    ("TaskUpdate", {"title": 5, "dueDate": "tomorrow", "status": None}),
    ("UserCreate", {"email": "a b@example.com", "password": "short", "displayName": ""}),
    ("UserCreate", {"email": "ada@example.com", "password": "x" * 129, "displayName": "Ada\u202eLovelace"}),
    ("ProjectCreate", {"name": "x" * 101, "description": 7}),
]


async def test_the_validators_refuse_what_the_service_refuses_with_the_same_codes(
    built: None, client: httpx.AsyncClient
) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    task = await create_task(client, ada, project["id"])
    calls = {
        "TaskCreate": ("POST", f"/v1/projects/{project['id']}/tasks", ada.headers),
        "TaskUpdate": ("PATCH", f"/v1/projects/{project['id']}/tasks/{task['id']}", {**ada.headers, "If-Match": '"1"'}),
        "UserCreate": ("POST", "/v1/users", {}),
        "ProjectCreate": ("POST", "/v1/projects", ada.headers),
    }
    served = []
    for schema, body in BAD_BODIES:
        method, url, headers = calls[schema]
        problem = (await client.request(method, url, json=body, headers=headers)).json()
        assert problem["status"] == 422, (schema, body, problem)
        served.append(_findings(problem["errors"]))
    # Run inside the project, where `@taskboard/sdk/validators` resolves as in a frontend's.
    script = TESTS / "build" / "validate.mjs"
    script.write_text(
        "import * as validators from '@taskboard/sdk/validators';\n"
        "const cases = JSON.parse(process.argv[2]);\n"
        "const found = cases.map(([schema, body]) => validators.check(validators[`z${schema}`], body).errors);\n"
        "console.log(JSON.stringify(found));\n"
    )
    checked = [_findings(errors) for errors in json.loads(run("node", script, json.dumps(BAD_BODIES)))]
    assert checked == served
    assert all(served)  # every case found something
    # What a form shows needs no English: each has a code, and its bound where there is one.
    assert ("/title", "minLength", (("minLength", 1),)) in served[1]
    assert ("/status", "enum", (("enum", ("todo", "in_progress", "done")),)) in served[1]


def _findings(errors: list[dict[str, Any]]) -> set[tuple[str, str, tuple[tuple[str, Any], ...]]]:
    """The errors as (pointer, code, params): a pattern is named by its keyword only (the regular
    expression's source is spelt by each side's own escaping)."""

    def frozen(value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    return {
        (
            e["pointer"],
            e["code"],
            tuple(sorted((k, frozen(v)) for k, v in e.get("params", {}).items() if k != "pattern")),
        )
        for e in errors
    }


def test_the_lock_file_names_no_network_address() -> None:
    """npm ci finds each package by name, version and integrity: the lock records no registry or other
    address (make node-lock strips them)."""
    lock = (ROOT / "package-lock.json").read_text()
    assert re.findall(r"[a-z+]+://[^\s\"]+", lock) == []
    assert json.loads(lock)["packages"]["node_modules/openapi-fetch"]["integrity"].startswith("sha512-")
