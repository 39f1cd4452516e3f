"""`python -m codegen`: regenerate generated/ and sdk/ from openapi.yaml.

`--check` generates into a scratch folder instead and fails, naming the files, when the
committed generated/ or sdk/ differ from what the contract generates.
"""

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from codegen import contract, paging, rules, stubs, validators

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ("generated", "sdk")
# The house rules, for people: written from codegen/rules.py.
HOUSE_RULES = ROOT / "docs" / "house-rules.md"


class MissingTool(Exception):
    """A generator that `make` installs is not there."""


# What building or installing a package leaves beside the generated files: never compared.
BUILT = ["__pycache__", ".pytest_cache", ".ruff_cache", "node_modules", "dist"]


def generate_into(root: Path, spec_path: Path = ROOT / "openapi.yaml", *, build: bool = False) -> None:
    """Writes generated/ and sdk/ from the contract at `spec_path` under `root`, which must not have
    them yet; with `build`, the TypeScript SDK's dist/ too. The TypeScript SDK is made meanwhile."""
    spec = contract.load(spec_path)
    operations, webhooks = contract.read(spec)
    with ThreadPoolExecutor(1) as meanwhile:
        typescript = meanwhile.submit(
            _typescript_sdk, spec, spec_path, operations, root / "sdk" / "typescript", build=build
        )
        _python_parts(root, spec, spec_path, operations, webhooks)
        typescript.result()


def _python_parts(
    root: Path, spec: dict[str, Any], spec_path: Path, operations: list[contract.Operation], webhooks: list[Any]
) -> None:
    stubs.write(operations, root / "generated", tuple(webhooks))
    _run("datamodel-codegen", "--input", spec_path, "--output", root / "generated" / "models.py")
    config = ("--config", ROOT / "pyproject.toml")
    _run("ruff", "format", "--quiet", *config, root / "generated")
    _run("ruff", "check", "--quiet", "--fix-only", "--select", "I,F401", *config, root / "generated")
    _python_sdk(spec_path, root / "sdk" / "python", paging.page_items(spec, operations))


def _python_sdk(spec_path: Path, out: Path, pages: dict[str, str]) -> None:
    kept = ROOT / "codegen" / "sdk_python"
    _run(
        "openapi-python-client", "generate",
        "--path", spec_path,
        "--config", kept / "config.yaml",
        "--output-path", out,
        "--meta", "pdm",
        "--custom-template-path", kept / "templates",
    )  # fmt: skip
    # What the generated client cannot do (streaming), written by hand and shipped with it.
    for extra in sorted((kept / "extra").glob("*.py")):
        shutil.copyfile(extra, out / "taskboard_client" / extra.name)
    # What the contract types for them: the paged lists' overloads.
    template = (kept / "templated" / "pages.py.template").read_text()
    (out / "taskboard_client" / "pages.py").write_text(paging.python_pages(template, pages))
    shutil.rmtree(out / ".ruff_cache", ignore_errors=True)


def _typescript_sdk(
    spec: dict[str, Any], spec_path: Path, operations: list[contract.Operation], out: Path, *, build: bool
) -> None:
    """The package as written by hand in codegen/sdk_typescript/, with the contract's types beside it
    (openapi-typescript, from the project's node_modules: codegen/typescript_types.mjs), its schemas'
    validators (codegen/typescript_validators.mjs) and the contract's version; built (dist/) with
    `build`."""
    shutil.copytree(ROOT / "codegen" / "sdk_typescript", out)
    package = out / "package.json"
    version = spec["info"]["version"]
    package.write_text(package.read_text().replace('"version": "0.0.0"', f'"version": "{version}"', 1))
    if not all((ROOT / "node_modules" / tool).exists() for tool in ("openapi-typescript", "@hey-api/openapi-ts")):
        raise MissingTool("the TypeScript SDK's generators are not installed: `make node_modules` installs them")
    _run("node", ROOT / "codegen" / "typescript_types.mjs", spec_path, out / "src" / "schema.ts")
    view = out.parent / "validators-view.json"
    view.write_text(json.dumps(validators.view(spec)))
    _run("node", ROOT / "codegen" / "typescript_validators.mjs", view, out / "src" / "validators.gen.ts")
    view.unlink()
    (out / "src" / "downloads.ts").write_text(_downloads(operations))
    if build:
        _run(ROOT / "node_modules" / ".bin" / "tsc", "-p", out)


def _downloads(operations: list[contract.Operation]) -> str:
    """How the TypeScript SDK reads each file download: as text, or as a Blob (`format: binary`)."""
    rows = "".join(
        f'  "{op.method.upper()} {op.path}": "{"blob" if op.binary else "text"}",\n'
        for op in operations
        if op.downloads
    )
    return (
        "// Written by `make generate` from openapi.yaml: how the client reads each operation that\n"
        "// answers a file (any other answer is JSON).\n"
        f'export const DOWNLOADS: Readonly<Record<string, "text" | "blob">> = {{\n{rows}}};\n'
    )


def _scratch() -> tempfile.TemporaryDirectory[str]:
    # Inside the project, so that every tool finds the same settings wherever the output lands.
    return tempfile.TemporaryDirectory(dir=ROOT, prefix=".codegen-")


def generate() -> None:
    """Regenerates into a scratch folder and swaps it in only when every step has succeeded."""
    with _scratch() as scratch:
        generate_into(Path(scratch), build=True)
        for name in OUTPUTS:
            shutil.rmtree(ROOT / name, ignore_errors=True)
            shutil.move(Path(scratch) / name, ROOT / name)
    HOUSE_RULES.write_text(rules.document())


def check() -> int:
    with _scratch() as scratch:
        fresh = Path(scratch)
        generate_into(fresh)
        stale = [f"{name}/{path}" for name in OUTPUTS for path in _diff(ROOT / name, fresh / name)]
    if not HOUSE_RULES.exists() or HOUSE_RULES.read_text() != rules.document():
        stale.append(str(HOUSE_RULES.relative_to(ROOT)))
    if stale:
        print("generated code is out of date with openapi.yaml; run `make generate`:", file=sys.stderr)
        for path in stale:
            print(f"  {path}", file=sys.stderr)
        return 1
    print("generated/ and sdk/ match openapi.yaml")
    return 0


def _diff(left: Path, right: Path, prefix: str = "") -> list[str]:
    if not left.is_dir():
        return [prefix or "."]
    cmp = filecmp.dircmp(left, right, ignore=BUILT)
    found = [prefix + name for name in cmp.left_only + cmp.right_only + cmp.funny_files]
    _, mismatch, errors = filecmp.cmpfiles(left, right, cmp.common_files, shallow=False)
    found += [prefix + name for name in mismatch + errors]
    for sub in cmp.common_dirs:
        found += _diff(left / sub, right / sub, f"{prefix}{sub}/")
    return sorted(found)


def _run(*args: object) -> None:
    # The tools, and the ruff that openapi-python-client's hooks call, come from this environment.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(list(map(str, args)), cwd=ROOT, check=True, env=env)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if generated code is stale")
    options = parser.parse_args()
    try:
        if options.check:
            return check()
        generate()
    except contract.ContractError as error:
        for finding in error.findings:
            print(f"openapi.yaml: {finding}", file=sys.stderr)
        count = len(error.findings)
        print(f"{count} house rule{'s' if count > 1 else ''} broken (docs/house-rules.md says why)", file=sys.stderr)
        return 1
    except MissingTool as error:
        print(error, file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"generation failed, nothing was replaced: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
