"""The drill: the contract with the constructs it does not use yet (test_constructs.py: an upload, a
webhook, parameters named `from`, `body` and `request`, a tag `2.0`), through all of `make
generate` in a scratch folder. The stubs and the Python SDK pass `mypy --strict`, the TypeScript SDK
compiles under `tsc --strict`, and handlers written for it (drill/app.py), served by uvicorn, answer
200 to the calls both SDKs make (drill/client.py, drill/drill.ts), each only if what arrived is
what was sent."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from codegen.__main__ import ROOT, generate_into
from tests.codegen.test_constructs import _operation, drill_spec

pytestmark = pytest.mark.once

DRILL = Path(__file__).with_name("drill")
# A bulk operation whose body is one of two variants; only here, where the models are the drill's own.
BULK = {
    **_operation("bulkFrom", "import", []),
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DrillBulk"}}},
    },
}
BULK["responses"] |= {
    str(status): {"$ref": f"#/components/responses/{name}"}
    for status, name in [(408, "RequestTimeout"), (413, "ContentTooLarge"), (415, "UnsupportedMediaType")]
}
VARIANTS = {
    "DrillMove": {
        "type": "object",
        "required": ["op", "toStatus"],
        "additionalProperties": False,
        "properties": {
            "op": {"type": "string", "const": "move"},
            "toStatus": {"type": "string", "enum": ["todo", "done"]},
        },
    },
    "DrillDelete": {
        "type": "object",
        "required": ["op"],
        "additionalProperties": False,
        "properties": {"op": {"type": "string", "const": "delete"}},
    },
    "DrillBulk": {
        "oneOf": [{"$ref": "#/components/schemas/DrillMove"}, {"$ref": "#/components/schemas/DrillDelete"}],
        "discriminator": {
            "propertyName": "op",
            "mapping": {"move": "#/components/schemas/DrillMove", "delete": "#/components/schemas/DrillDelete"},
        },
    },
}
STRICT = "[mypy]\nstrict = True\nplugins = pydantic.mypy\n"


@pytest.fixture(scope="module")
def made() -> Iterator[Path]:
    # Inside the project, as make generate's own scratch folder: the tools find its settings and node_modules.
    with tempfile.TemporaryDirectory(dir=ROOT, prefix=".drill-") as scratch:
        spec = Path(scratch) / "openapi.yaml"
        contract = drill_spec()
        contract["paths"]["/v1/drill/bulk"] = {"post": BULK}
        contract["components"]["schemas"] |= VARIANTS
        spec.write_text(yaml.safe_dump(contract, sort_keys=False))
        generate_into(Path(scratch) / "made", spec)
        made = Path(scratch) / "made"
        shutil.copyfile(DRILL / "app.py", made / "drill_app.py")
        shutil.copyfile(DRILL / "client.py", made / "drill_client.py")
        shutil.copyfile(DRILL / "drill.ts", made / "sdk" / "typescript" / "src" / "drill.ts")
        yield made


def _run(*command: str | Path, cwd: Path, **env: str) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_stubs_the_python_sdk_and_its_calls_pass_mypy_strict(made: Path) -> None:
    (made / "mypy.ini").write_text(STRICT)
    checked = ("generated", "sdk/python/taskboard_client", "drill_client.py")
    mypy = (sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", made / ".mypy_cache")
    assert "Success" in _run(*mypy, *checked, cwd=made, MYPYPATH=str(made / "sdk" / "python"))


@pytest.fixture(scope="module")
def served(made: Path) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "uvicorn", "drill_app:app", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=made, env={**os.environ, "PYTHONPATH": str(made)})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{url}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def test_the_python_sdk_calls_what_the_handlers_read(made: Path, served: str) -> None:
    sdk = str(made / "sdk" / "python")
    said = _run(sys.executable, "drill_client.py", served, cwd=made, PYTHONPATH=f"{sdk}{os.pathsep}{made}")
    # The file whole, and named exactly in filename* though its name is no ASCII.
    named = "attachment; filename=\"__ _final_.bin\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20%22final%22.bin"
    assert said.startswith(f"200 200 200 200 True {named} "), said


def test_the_typescript_sdk_compiles_strictly_and_calls_what_the_handlers_read(made: Path, served: str) -> None:
    package = made / "sdk" / "typescript"
    _run(ROOT / "node_modules" / ".bin" / "tsc", "-p", package, cwd=made)
    script = (
        "const { drill } = await import(process.argv[1]); console.log(JSON.stringify(await drill(process.argv[2])));"
    )
    said = _run("node", "--input-type=module", "-e", script, package / "dist" / "drill.js", served, cwd=made)
    assert said.strip() == "[200,200,200,200,true]", said


def test_an_error_in_a_variant_points_into_the_body_as_sent(served: str) -> None:
    answer = httpx.post(f"{served}/v1/drill/bulk", json={"op": "move", "toStatus": "later"})
    assert answer.status_code == 422
    assert [error["loc"] for error in answer.json()["detail"]] == [["body", "toStatus"]]
