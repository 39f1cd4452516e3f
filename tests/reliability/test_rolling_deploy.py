"""A deploy's migrations under running processes (service/migrations/README.md): two processes of this
release serve one database while the next release's expand step migrates it (they stay ready, no
request fails), its contract step takes them out of readiness only, and rolling back brings them in."""

import asyncio
import os
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic import command

from service.migrations.compatibility import schema_head
from tests.database import ROOT, ScratchDatabases, alembic_config, asyncpg_dsn
from tests.reliability.cluster import cluster, signed_in

STEP = '''"""{what}"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None
expands = {expands}


def upgrade() -> None:
    {upgrade}


def downgrade() -> None:
    {downgrade}
'''
ADD = 'op.add_column("project", sa.Column("color", sa.String(20), nullable=True))'
DROP = 'with op.batch_alter_table("project") as table:\n        table.drop_column("color")'


def next_release(folder: Path) -> tuple[str, str]:
    """The next release's migrations, in `folder`: an expand step that adds a column this release
    does not read, then a contract step that drops it. Their revisions."""
    head = schema_head()
    assert head is not None
    expand, contract = f"{int(head) + 1:04d}", f"{int(head) + 2:04d}"
    steps = [
        (expand, head, True, "adds project.color", ADD, DROP),
        (contract, expand, False, "drops project.color", DROP, ADD),
    ]
    for revision, down, expands, what, upgrade, downgrade in steps:
        text = STEP.format(
            what=what, revision=revision, down=down, expands=expands, upgrade=upgrade, downgrade=downgrade
        )
        (folder / f"{revision}_step.py").write_text(text)
    return expand, contract


def migrate(database_url: str, folder: Path, revision: str, *, down: bool = False) -> None:
    """`alembic upgrade` (or `downgrade`) as the next release's deploy runs it."""
    (command.downgrade if down else command.upgrade)(alembic_config(database_url, folder), revision)


async def schema_version(database_url: str) -> str | None:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        version: str | None = await connection.fetchval("SELECT version_num FROM alembic_version")
        return version
    finally:
        await connection.close()


async def test_expand_steps_keep_the_release_before_ready_and_serving_a_contract_step_does_not(
    database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "versions"
    folder.mkdir()
    expand, contract = next_release(folder)
    with cluster(database_url, 2, tmp_path) as servers:
        async with httpx.AsyncClient(timeout=30) as http:
            headers = await signed_in(http, servers[0].url)
            project = (
                await http.post(f"{servers[0].url}/v1/projects", json={"name": "Deploy"}, headers=headers)
            ).json()
            statuses: Counter[int] = Counter()
            done = asyncio.Event()

            async def traffic() -> None:
                """Reads and writes through both processes until the deploy is over."""
                n = 0
                while not done.is_set():
                    base = servers[n % 2].url
                    tasks = f"{base}/v1/projects/{project['id']}/tasks"
                    statuses[(await http.post(tasks, json={"title": f"t{n}"}, headers=headers)).status_code] += 1
                    statuses[(await http.get(tasks, headers=headers)).status_code] += 1
                    statuses[(await http.get(f"{base}/v1/projects/{project['id']}", headers=headers)).status_code] += 1
                    n += 1

            async def ready() -> list[tuple[int, str]]:
                answers = [await http.get(f"{server.url}/readyz") for server in servers]
                return [(answer.status_code, answer.json().get("detail", "")) for answer in answers]

            load = asyncio.create_task(traffic())
            try:
                await asyncio.sleep(0.5)
                await asyncio.to_thread(migrate, database_url, folder, expand)
                await asyncio.sleep(0.5)
                assert await ready() == [(200, ""), (200, "")]  # ahead by an expand step: still served
                await asyncio.to_thread(migrate, database_url, folder, contract)
                past = "The database schema is migrated past what this version serves: deploy the newer version."
                assert await ready() == [(503, past), (503, past)]
                # Rolled back: the contract step undone, this release is ready again.
                await asyncio.to_thread(migrate, database_url, folder, expand, down=True)
                assert await ready() == [(200, ""), (200, "")]
                await asyncio.sleep(0.5)
            finally:
                done.set()
                await load
            listed = await http.get(f"{servers[1].url}/v1/projects/{project['id']}/tasks?limit=100", headers=headers)
    assert set(statuses) == {200, 201}, statuses  # no request failed across the deploy
    # Nothing was lost to the steps (on SQLite, one that recreates a table must not cascade).
    assert statuses[201] >= 3 and len(listed.json()["items"]) == min(statuses[201], 100), statuses


def make(*arguments: str, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = ["make", "-s", "--no-print-directory", *arguments]
    environment = {**os.environ, "DATABASE_URL": database_url, **env}
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)


@pytest.mark.postgresql
def test_serving_targets_check_the_schema_and_only_make_migrate_changes_it(
    databases: ScratchDatabases, tmp_path: Path
) -> None:
    url = databases.new(tmp_path, migrated=False)
    refused = make("operator", "EMAIL=ops@example.com", database_url=url, OPERATOR_PASSWORD="an operator's passphrase")
    assert refused.returncode != 0
    assert "not migrated to this version" in refused.stderr and "`make migrate`" in refused.stderr
    # Three deploys' migrations at once on a fresh database: one runs, the others find it done.
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(lambda _: make("migrate", database_url=url), range(3)))
    assert [run.returncode for run in runs] == [0, 0, 0], [run.stderr[-2000:] for run in runs]
    made = make("operator", "EMAIL=ops@example.com", database_url=url, OPERATOR_PASSWORD="an operator's passphrase")
    assert made.returncode == 0, made.stderr


@pytest.mark.postgresql
async def test_a_migration_behind_a_long_read_lets_requests_by_and_tries_again(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "versions"
    folder.mkdir()
    expand, _ = next_release(folder)
    monkeypatch.setenv("MIGRATION_LOCK_TIMEOUT_SECONDS", "0.3")
    with cluster(database_url, 1, tmp_path) as [server]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            headers = await signed_in(http)
            project = (await http.post("/v1/projects", json={"name": "Read"}, headers=headers)).json()
            reader = await asyncpg.connect(asyncpg_dsn(database_url))
            reading = reader.transaction()
            await reading.start()
            await reader.fetch("SELECT * FROM project")  # a report's long read: its lock lasts 3 s
            migration = asyncio.create_task(asyncio.to_thread(migrate, database_url, folder, expand))
            slowest = 0.0
            for _ in range(15):  # while the migration waits for the table
                started = time.monotonic()
                answer = await http.get(f"/v1/projects/{project['id']}", headers=headers)
                assert answer.status_code == 200
                slowest = max(slowest, time.monotonic() - started)
                await asyncio.sleep(0.2)
            await reading.rollback()
            await reader.close()
            await migration
    # Requests waited at most a lock timeout behind the queued ALTER, not the read's 3 s.
    assert slowest < 1.5, slowest
    assert await schema_version(database_url) == expand
