import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from service.exports import files
from service.housekeeping import clean
from service.settings import Settings
from service.tables import Export
from tests.events.conftest import until
from tests.exports.test_endpoints import board, finished
from tests.factories import SignedIn, assert_problem


async def exported(client: httpx.AsyncClient, who: SignedIn, project_id: int, format: str = "csv") -> str:
    created = await client.post(f"/v1/projects/{project_id}/exports", json={"format": format}, headers=who.headers)
    assert (await finished(client, who, created.headers["location"]))["status"] == "succeeded"
    return str(created.headers["location"])


async def test_deleting_a_project_deletes_its_export_files(client: httpx.AsyncClient, settings: Settings) -> None:
    ada, project, _ = await board(client)
    locations = [await exported(client, ada, project["id"], format) for format in ("csv", "ndjson")]
    files = sorted(settings.export_dir.iterdir())
    assert [f.suffix for f in files] == [".csv", ".ndjson"]
    assert (await client.delete(f"/v1/projects/{project['id']}", headers=ada.headers)).status_code == 204
    await until(lambda: not any(f.exists() for f in files))
    for location in locations:
        assert_problem(await client.get(location, headers=ada.headers), 404)
        assert_problem(await client.get(f"{location}/content", headers=ada.headers), 404)


async def test_exports_expire_with_their_files_after_the_retention(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    ada, project, _ = await board(client)
    old, recent = [await exported(client, ada, project["id"]) for _ in range(2)]
    old_id = int(old.rsplit("/", 1)[1])
    long_ago = datetime.now(UTC) - settings.export_retention - timedelta(minutes=1)
    async with app.state.database.writer() as session, session.begin():
        await session.execute(update(Export).where(Export.id == old_id).values(finished_at=long_ago))
    old_file = settings.export_dir / f"export-{old_id}.csv"
    assert old_file.exists()

    await clean(app.state.database, settings)

    assert not old_file.exists()
    assert_problem(await client.get(old, headers=ada.headers), 404)
    assert_problem(await client.get(f"{old}/content", headers=ada.headers), 404)
    assert (await client.get(f"{recent}/content", headers=ada.headers)).status_code == 200
    listed = (await client.get(f"/v1/projects/{project['id']}/exports", headers=ada.headers)).json()["items"]
    assert [e["id"] for e in listed] == [int(recent.rsplit("/", 1)[1])]


async def test_the_clean_up_deletes_files_no_export_owns_and_partial_files_no_worker_writes(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    ada, project, _ = await board(client)
    kept = settings.export_dir / f"export-{int((await exported(client, ada, project['id'])).rsplit('/', 1)[1])}.csv"
    directory: Path = settings.export_dir
    orphan = directory / "export-9999.csv"
    abandoned = directory / f"{kept.name}.0badc0de.part"
    in_progress = directory / f"{kept.name}.5eed1e55.part"
    unrelated = directory / "notes.txt"
    for path in (orphan, abandoned, in_progress, unrelated):
        path.write_text("x")
    an_hour_ago = time.time() - 3600
    os.utime(abandoned, (an_hour_ago, an_hour_ago))

    await clean(app.state.database, settings)

    assert sorted(p.name for p in directory.iterdir()) == sorted([kept.name, in_progress.name, unrelated.name])


async def test_an_export_whose_project_goes_while_it_runs_leaves_no_file(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada, project, _ = await board(client)
    database = app.state.database
    async with database.writer() as session, session.begin():
        export = Export(project_id=project["id"], format="csv", status="queued", created_at=datetime.now(UTC))
        session.add(export)
    written = files.write

    async def written_then_project_deleted(*args: Any, **kwargs: Any) -> int:
        count = await written(*args, **kwargs)
        assert (await client.delete(f"/v1/projects/{project['id']}", headers=ada.headers)).status_code == 204
        return count

    monkeypatch.setattr(files, "write", written_then_project_deleted)
    await files.run(database, settings.export_dir, export.id)
    assert list(settings.export_dir.iterdir()) == []
