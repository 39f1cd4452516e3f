"""The TypeScript SDK's Node tools, for the tests that build and run what uses it."""

import fcntl
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "node_modules" / ".bin"
TESTS = Path(__file__).resolve().parent / "typescript"


def run(*command: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{' '.join(map(str, command))}:\n{done.stdout[-8000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def build() -> None:
    """The SDK compiled (strict), and the tests that use it, unless nothing has changed since they
    last were (in an earlier process of the same run, say). One process compiles at a time: the
    test workers that start together would otherwise each compile the same thing."""
    assert (TOOLS / "tsc").exists(), "the Node tools are not installed: `make node_modules`"
    (TESTS / "build").mkdir(exist_ok=True)
    with (TESTS / "build" / ".compiling").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _compile()


def _compile() -> None:
    sdk = ROOT / "sdk" / "typescript"
    for project, inputs, outputs in (
        (sdk, [sdk / "tsconfig.json", *(sdk / "src").rglob("*.ts")], (sdk / "dist").rglob("*.js")),
        (
            TESTS,
            [
                TESTS / "tsconfig.json",
                *TESTS.glob("*.mts"),
                *(TESTS / "browser").glob("*.mts"),
                *(sdk / "dist").rglob("*.d.ts"),
            ],
            (TESTS / "build").rglob("*.mjs"),
        ),
    ):
        made = [output.stat().st_mtime for output in outputs]
        if not made or max(path.stat().st_mtime for path in inputs) >= min(made):
            run(TOOLS / "tsc", "-p", project)
