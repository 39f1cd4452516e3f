"""`make release`: refused where the contract is not ready, else the SDKs' packages, each
installed in an environment of its own, a CHANGELOG entry and the released contract."""

import datetime
import json
import subprocess
import sys
import tarfile
import venv
from pathlib import Path

import pytest
import yaml

from codegen import release
from codegen.breaking import Change

ROOT = Path(__file__).resolve().parents[2]
VERSION = yaml.safe_load((ROOT / "openapi.yaml").read_text())["info"]["version"]


def contract_as(path: Path, version: str, edit: str = "") -> Path:
    """openapi.yaml at `path` as `version`, with `edit`'s "old => new" replaced."""
    text = (ROOT / "openapi.yaml").read_text().replace(f"version: {VERSION}", f"version: {version}", 1)
    if edit:
        old, new = edit.split(" => ")
        assert old in text
        text = text.replace(old, new, 1)
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def released_as(tmp_path: Path, version: str, edit: str = "") -> Path:
    """A folder of released contracts whose last is openapi.yaml as `version`, with `edit`."""
    return contract_as(tmp_path / "released" / f"{version}.yaml", version, edit).parent


def refusal(contract: Path, released: Path, tmp_path: Path) -> str:
    with pytest.raises(release.Refused) as refused:
        release.release(contract, released, tmp_path / "CHANGELOG.md", tmp_path / "dist")
    assert not (tmp_path / "dist").exists() and not (tmp_path / "CHANGELOG.md").exists()
    return str(refused.value)


def test_a_changed_contract_needs_a_new_version(tmp_path: Path) -> None:
    released = released_as(tmp_path, VERSION, "summary: Projects => summary: Boards")
    assert "raise info.version first" in refusal(ROOT / "openapi.yaml", released, tmp_path)


def test_a_version_is_never_released_below_the_last(tmp_path: Path) -> None:
    released = released_as(tmp_path, "99.0.0")
    assert "is older than the released 99.0.0" in refusal(ROOT / "openapi.yaml", released, tmp_path)


def test_a_breaking_change_needs_a_new_major_version(tmp_path: Path) -> None:
    # The released contract had an operation that this minor version no longer has.
    legacy = "  /v1/legacy:\n    get:\n      operationId: legacy\n      responses: {'204': {description: Gone.}}\n"
    released = released_as(tmp_path, "1.0.0", f"  /v1/users/me:\n => {legacy}  /v1/users/me:\n")
    contract = contract_as(tmp_path / "next" / "openapi.yaml", "1.1.0")
    refused = refusal(contract, released, tmp_path)
    assert "error [path-removed] /v1/legacy: path removed" in refused
    assert "1.1.0 breaks clients of 1.0.0: raise the major version" in refused


def test_changelog_entries_are_newest_first(tmp_path: Path) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    day = datetime.date(2026, 12, 3)
    release.add_entry(changelog, release.entry("1.1.0", "1.0.0", [], day))
    added = Change("operation-added", "GET /v1/labels", "")
    release.add_entry(changelog, release.entry("1.2.0", "1.1.0", [added], day))
    text = changelog.read_text()
    assert text.startswith(release.HEADING + "\n## 1.2.0 (2026-12-03)\n")
    assert "Compatible, since 1.1.0:\n\n- [operation-added] GET /v1/labels: operation added\n\n## 1.1.0" in text
    assert text.endswith("No change to operations, parameters or schemas since 1.0.0.\n")


def run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


# Builds and installs the packages: the same work on either database, so once.
@pytest.mark.once
def test_a_release_builds_packages_that_install_anywhere(tmp_path: Path) -> None:
    # As if the last release lacked the tasks' due dates: this one adds a field.
    released = released_as(tmp_path, "0.9.0", '        dueDate:\n          $ref: "#/components/schemas/DueDate"\n => ')
    changelog = tmp_path / "CHANGELOG.md"
    built = release.release(ROOT / "openapi.yaml", released, changelog, tmp_path / "dist")
    assert [path.name for path in built] == [
        f"taskboard-sdk-{VERSION}.tgz",
        f"taskboard_client-{VERSION}-py3-none-any.whl",
        f"taskboard_client-{VERSION}.tar.gz",
    ]
    assert (released / f"{VERSION}.yaml").read_text() == (ROOT / "openapi.yaml").read_text()
    entry = changelog.read_text().split(f"## {VERSION} (")[1]
    assert "Compatible, since 0.9.0:" in entry
    assert (
        "- [response-field-added] Task field dueDate: response field added, in GET /v1/projects/{projectId}/events, "
        in entry
    )
    assert "Breaking" not in entry and " more\n" not in entry  # every operation named

    # Each Python package in a new environment of its own, with only what it names as dependencies.
    for package in built[1:]:
        env = tmp_path / package.name.replace(".", "-")
        venv.EnvBuilder(with_pip=False).create(env)
        python = env / "bin" / "python"
        run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", package, cwd=tmp_path)
        script = "import importlib.metadata as m, taskboard_client.problems; print(m.version('taskboard-client'))"
        assert run(python, "-c", script, cwd=tmp_path).strip() == VERSION

    # The npm package as `npm pack` makes it (tests/sdk/test_typescript.py installs one in a new project).
    with tarfile.open(built[0]) as tarball:
        manifest = json.load(tarball.extractfile("package/package.json"))  # type: ignore[arg-type]
        names = tarball.getnames()
    assert manifest["name"] == "@taskboard/sdk" and manifest["version"] == VERSION
    assert {"package/dist/index.js", "package/dist/index.d.ts"} <= set(names)
