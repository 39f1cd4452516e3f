import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from service.app import create_app
from service.exports import files
from service.settings import Settings
from service.tables import Export
from tests.factories import SignedIn, add_member, assert_problem, create_project, create_task, sign_up


async def finished(client: httpx.AsyncClient, who: SignedIn, location: str) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            export: dict[str, Any] = (await client.get(location, headers=who.headers)).json()
            if export["status"] in ("succeeded", "failed"):
                return export
            await asyncio.sleep(0.05)


async def board(client: httpx.AsyncClient) -> tuple[SignedIn, dict[str, Any], list[dict[str, Any]]]:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    tasks = [
        await create_task(client, ada, project["id"], title="Plain"),
        await create_task(client, ada, project["id"], title='Comma, "quote"\u2014dash', dueDate="2026-02-01"),
        await create_task(client, ada, project["id"], title="Multi", description="line one\nline two"),
    ]
    return ada, project, tasks


async def test_a_csv_export_from_request_to_file(client: httpx.AsyncClient) -> None:
    ada, project, tasks = await board(client)
    response = await client.post(f"/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=ada.headers)
    assert response.status_code == 202
    queued = response.json()
    assert response.headers["location"] == f"/v1/exports/{queued['id']}"
    assert (queued["status"], queued["format"], queued["projectId"]) == ("queued", "csv", project["id"])
    assert (queued["finishedAt"], queued["error"], queued["rowCount"]) == (None, None, None)

    done = await finished(client, ada, response.headers["location"])
    assert done["status"] == "succeeded" and done["rowCount"] == 3 and done["finishedAt"] is not None

    download = await client.get(f"/v1/exports/{queued['id']}/content", headers=ada.headers)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"] == f'attachment; filename="project-{project["id"]}-tasks.csv"'
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [r["title"] for r in rows] == [t["title"] for t in tasks]
    assert rows[1]["dueDate"] == "2026-02-01" and rows[0]["dueDate"] == ""
    assert rows[2]["description"] == "line one\nline two"
    assert rows[0]["id"] == str(tasks[0]["id"]) and rows[0]["status"] == "todo"


FORMULAS = ['=HYPERLINK("http://x","y")', "  +1+1", "-2", "@SUM(A1)", "\uff1d1+1"]


async def test_no_csv_cell_can_run_as_a_formula_but_ndjson_keeps_every_value(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    tasks = [await create_task(client, ada, project["id"], title=title) for title in FORMULAS]
    for description in ("\t=1+1", "\n =1+1", "Plain - no formula", "=1"):
        tasks.append(await create_task(client, ada, project["id"], title="Safe", description=description))
    urls = {}
    for format in ("csv", "ndjson"):
        url = f"/v1/projects/{project['id']}/exports"
        created = await client.post(url, json={"format": format}, headers=ada.headers)
        assert (await finished(client, ada, created.headers["location"]))["status"] == "succeeded"
        urls[format] = f"{created.headers['location']}/content"

    text = (await client.get(urls["csv"], headers=ada.headers)).text
    assert text.startswith('"id","projectId","title","description","status",')
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["title"] for r in rows[:5]] == ["'" + title for title in FORMULAS]
    descriptions = [r["description"] for r in rows[5:]]
    assert descriptions == ["'\t=1+1", "'\n =1+1", "Plain - no formula", "'=1"]
    # Every field is quoted, an empty one too: a spreadsheet splits nothing inside a field.
    first = text.split("\r\n")[1]
    assert first.startswith(f'"{tasks[0]["id"]}","{project["id"]}","\'=HYPERLINK(""http://x"",""y"")",""')

    ndjson = (await client.get(urls["ndjson"], headers=ada.headers)).text
    assert [json.loads(line) for line in ndjson.splitlines()] == tasks


async def test_an_ndjson_export_holds_each_task_as_the_api_returns_it(client: httpx.AsyncClient) -> None:
    ada, project, tasks = await board(client)
    response = await client.post(
        f"/v1/projects/{project['id']}/exports", json={"format": "ndjson"}, headers=ada.headers
    )
    assert (await finished(client, ada, response.headers["location"]))["status"] == "succeeded"
    download = await client.get(f"{response.headers['location']}/content", headers=ada.headers)
    assert download.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(line) for line in download.text.splitlines()] == tasks


async def test_download_before_the_export_succeeded_is_409(client: httpx.AsyncClient, app: FastAPI) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    async with app.state.database.writer() as session, session.begin():
        for status, format in (("queued", "csv"), ("running", "ndjson"), ("failed", "csv")):
            session.add(Export(project_id=project["id"], format=format, status=status, created_at=datetime.now(UTC)))
    # Straight into the database, so no worker knows of them.
    async with app.state.database.reader() as session:
        ids = [e.id for e in (await session.scalars(select(Export))).all()]
    for export_id in ids:
        problem = assert_problem(await client.get(f"/v1/exports/{export_id}/content", headers=ada.headers), 409)
        assert "not succeeded" in problem["detail"]


async def test_a_file_that_is_gone_is_409(client: httpx.AsyncClient, settings: Settings) -> None:
    ada, project, _ = await board(client)
    response = await client.post(f"/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=ada.headers)
    export = await finished(client, ada, response.headers["location"])
    (settings.export_dir / f"export-{export['id']}.csv").unlink()
    problem = assert_problem(await client.get(f"{response.headers['location']}/content", headers=ada.headers), 409)
    assert "gone" in problem["detail"]


async def test_only_members_see_a_projects_exports(client: httpx.AsyncClient) -> None:
    ada, project, _ = await board(client)
    bob, eve = await sign_up(client), await sign_up(client)
    await add_member(client, ada, project["id"], bob)
    response = await client.post(f"/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=ada.headers)
    location = response.headers["location"]
    await finished(client, ada, location)
    assert (await client.get(location, headers=bob.headers)).status_code == 200
    for url in (location, f"{location}/content"):
        assert_problem(await client.get(url, headers=eve.headers), 404)
    assert_problem(await client.get("/v1/exports/999999", headers=eve.headers), 404)


async def test_a_format_outside_the_contract_is_422(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    response = await client.post(f"/v1/projects/{project['id']}/exports", json={"format": "xlsx"}, headers=ada.headers)
    assert assert_problem(response, 422)["errors"][0]["pointer"] == "/format"


@pytest.mark.parametrize(("left", "lease"), [("queued", None), ("running", None), ("running", -1)])
async def test_exports_left_by_a_crash_are_done_after_a_restart(
    settings: Settings, left: str, lease: int | None
) -> None:
    first = create_app(settings)
    async with first.router.lifespan_context(first):
        transport = httpx.ASGITransport(app=first)
        async with httpx.AsyncClient(transport=transport, base_url="http://taskboard.test") as client:
            ada, project, tasks = await board(client)
        # As a crash leaves it: queued, or running with no worker left to renew its lease.
        async with first.state.database.writer() as session, session.begin():
            now = datetime.now(UTC)
            expiry = None if lease is None else now + timedelta(seconds=lease)
            export = Export(
                project_id=project["id"], format="ndjson", status=left, created_at=now, lease_expires_at=expiry
            )
            session.add(export)
        export_id = export.id

    restarted = create_app(settings)
    async with restarted.router.lifespan_context(restarted):
        transport = httpx.ASGITransport(app=restarted)
        async with httpx.AsyncClient(transport=transport, base_url="http://taskboard.test") as client:
            done = await finished(client, ada, f"/v1/exports/{export_id}")
            content = await client.get(f"/v1/exports/{export_id}/content", headers=ada.headers)
    assert done["status"] == "succeeded" and done["rowCount"] == len(tasks)
    assert [json.loads(line)["id"] for line in content.text.splitlines()] == [t["id"] for t in tasks]


async def test_a_range_request_gets_the_whole_file(client: httpx.AsyncClient) -> None:
    ada, project, _ = await board(client)
    response = await client.post(f"/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=ada.headers)
    await finished(client, ada, response.headers["location"])
    url = f"{response.headers['location']}/content"
    whole = await client.get(url, headers=ada.headers)
    ranged = await client.get(url, headers={**ada.headers, "Range": "bytes=0-10"})
    assert ranged.status_code == 200 and ranged.content == whole.content
    assert "accept-ranges" not in ranged.headers


async def test_an_export_under_a_live_lease_is_left_to_its_worker(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://taskboard.test") as client:
            _, project, _ = await board(client)
        # Another process's worker is writing this one, and renews its lease as it goes.
        async with app.state.database.writer() as session, session.begin():
            now = datetime.now(UTC)
            held = Export(
                project_id=project["id"],
                format="csv",
                status="running",
                created_at=now,
                lease_expires_at=now + timedelta(seconds=60),
            )
            session.add(held)
        assert await files.left_behind(app.state.database) == []
        async with app.state.database.reader() as session:
            assert (await session.get_one(Export, held.id)).status == "running"


async def test_members_list_every_export_of_the_project_newest_first(client: httpx.AsyncClient) -> None:
    ada, project, _ = await board(client)
    bob = await sign_up(client)
    await add_member(client, ada, project["id"], bob)
    url = f"/v1/projects/{project['id']}/exports"
    started = []
    for who, format in [(ada, "csv"), (bob, "ndjson"), (ada, "ndjson")]:
        response = await client.post(url, json={"format": format}, headers=who.headers)
        assert response.status_code == 202
        started.append((await finished(client, who, response.headers["location"]))["id"])
    first = await client.get(url, params={"limit": 2}, headers=bob.headers)
    assert first.status_code == 200
    page = first.json()
    rest = (await client.get(url, params={"limit": 2, "cursor": page["nextCursor"]}, headers=ada.headers)).json()
    assert [e["id"] for e in page["items"] + rest["items"]] == started[::-1]
    assert rest["nextCursor"] is None
    assert {e["projectId"] for e in page["items"]} == {project["id"]}
    other = await create_project(client, bob)
    assert (await client.get(f"/v1/projects/{other['id']}/exports", headers=bob.headers)).json() == {
        "items": [],
        "nextCursor": None,
    }


async def queued_export(app: FastAPI, project_id: int, user_id: int, format: str = "csv", **values: Any) -> int:
    """An export as the database holds it, straight into it: no worker knows of it."""
    async with app.state.database.writer() as session, session.begin():
        export = Export(
            project_id=project_id,
            format=format,
            status=values.pop("status", "queued"),
            created_at=datetime.now(UTC),
            requested_by=user_id,
            **values,
        )
        session.add(export)
        await session.flush()
        return export.id


async def test_a_second_export_of_a_project_and_format_joins_the_one_under_way(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    waiting = await queued_export(app, project["id"], ada.user["id"])
    url = f"/v1/projects/{project['id']}/exports"
    joined = await client.post(url, json={"format": "csv"}, headers=ada.headers)
    assert joined.status_code == 200
    assert joined.json()["id"] == waiting and joined.json()["status"] == "queued"
    assert joined.headers["location"] == f"/v1/exports/{waiting}"
    other_format = await client.post(url, json={"format": "ndjson"}, headers=ada.headers)
    assert other_format.status_code == 202 and other_format.json()["id"] != waiting


async def test_a_users_exports_in_flight_and_stored_bytes_are_bounded(settings: Settings) -> None:
    bounded = settings.model_copy(update={"exports_in_flight_per_user": 2, "export_bytes_per_user": 1000})
    app = create_app(bounded)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://taskboard.test") as client:
            ada = await sign_up(client)
            projects = [await create_project(client, ada) for _ in range(3)]
            for project in projects[:2]:
                await queued_export(app, project["id"], ada.user["id"])
            url = f"/v1/projects/{projects[2]['id']}/exports"
            refused = await client.post(url, json={"format": "csv"}, headers=ada.headers)
            assert "2 exports queued or running" in assert_problem(refused, 429)["detail"]
            assert refused.headers["retry-after"] == "10"
            # Another user is not held back by Ada's.
            bob = await sign_up(client)
            theirs = await create_project(client, bob)
            exported = await client.post(
                f"/v1/projects/{theirs['id']}/exports", json={"format": "csv"}, headers=bob.headers
            )
            assert exported.status_code == 202
            # Ada's finished files, kept until they expire, count against her bytes.
            async with app.state.database.writer() as session, session.begin():
                await session.execute(
                    update(Export).where(Export.requested_by == ada.user["id"]).values(status="failed")
                )
            done = datetime.now(UTC)
            await queued_export(
                app, projects[0]["id"], ada.user["id"], status="succeeded", size_bytes=1000, finished_at=done
            )
            refused = await client.post(url, json={"format": "csv"}, headers=ada.headers)
            assert "keep 1000 bytes" in assert_problem(refused, 429)["detail"]
            retention = bounded.export_retention.total_seconds()
            assert retention - 60 <= int(refused.headers["retry-after"]) <= retention
