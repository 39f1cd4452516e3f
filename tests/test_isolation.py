"""A non-member learns nothing about a project: every operation answers exactly as for a missing one."""

import re
from typing import Any

import httpx

from generated.api import OPERATIONS
from tests.factories import add_member, create_project, create_task, sign_up

MISSING = 9_000_000_000


def requests_for(project_id: int, task_id: int, user_id: int) -> list[tuple[str, str, str, dict[str, Any]]]:
    p, t = project_id, task_id
    return [
        ("getProject", "GET", f"/v1/projects/{p}", {}),
        ("updateProject", "PATCH", f"/v1/projects/{p}", {"json": {"name": "x"}, "headers": {"If-Match": '"1"'}}),
        ("deleteProject", "DELETE", f"/v1/projects/{p}", {}),
        ("listMembers", "GET", f"/v1/projects/{p}/members", {}),
        ("addMember", "PUT", f"/v1/projects/{p}/members/{user_id}", {}),
        ("removeMember", "DELETE", f"/v1/projects/{p}/members/{user_id}", {}),
        ("listProjectInvitations", "GET", f"/v1/projects/{p}/invitations", {}),
        ("createInvitation", "POST", f"/v1/projects/{p}/invitations", {"json": {"userId": user_id}}),
        ("revokeInvitation", "DELETE", f"/v1/projects/{p}/invitations/{t}", {}),
        ("listTasks", "GET", f"/v1/projects/{p}/tasks", {}),
        ("createTask", "POST", f"/v1/projects/{p}/tasks", {"json": {"title": "x"}}),
        ("getTask", "GET", f"/v1/projects/{p}/tasks/{t}", {}),
        (
            "updateTask",
            "PATCH",
            f"/v1/projects/{p}/tasks/{t}",
            {"json": {"title": "x"}, "headers": {"If-Match": '"1"'}},
        ),
        ("deleteTask", "DELETE", f"/v1/projects/{p}/tasks/{t}", {}),
        ("streamProjectEvents", "GET", f"/v1/projects/{p}/events", {}),
        ("createStreamTicket", "POST", f"/v1/projects/{p}/events/tickets", {}),
        ("listExports", "GET", f"/v1/projects/{p}/exports", {}),
        ("createExport", "POST", f"/v1/projects/{p}/exports", {"json": {"format": "csv"}}),
    ]


async def test_every_project_operation_hides_the_project_from_non_members(client: httpx.AsyncClient) -> None:
    ada, bob, eve = await sign_up(client), await sign_up(client), await sign_up(client)
    project = await create_project(client, ada, name="Secret")
    await add_member(client, ada, project["id"], bob)
    task = await create_task(client, bob, project["id"], title="Secret task")
    covered = {op.operation_id for op in OPERATIONS if "{projectId}" in op.path}
    real = requests_for(project["id"], task["id"], bob.user["id"])
    fake = requests_for(MISSING, MISSING, bob.user["id"])
    assert {name for name, *_ in real} == covered

    for (name, method, url, extra), (_, _, missing_url, _) in zip(real, fake, strict=True):
        headers = {**eve.headers, **extra.get("headers", {})}
        seen = await client.request(method, url, json=extra.get("json"), headers=headers)
        unseen = await client.request(method, missing_url, json=extra.get("json"), headers=headers)
        assert seen.status_code == unseen.status_code == 404, name
        assert seen.headers["content-type"] == unseen.headers["content-type"] == "application/problem+json"
        # The same words, ids aside.
        assert re.sub(r"\d+", "N", seen.json()["detail"]) == re.sub(r"\d+", "N", unseen.json()["detail"]), name

    # Nothing changed, and nothing of it shows up in eve's lists.
    assert (await client.get(f"/v1/projects/{project['id']}", headers=ada.headers)).json()["name"] == "Secret"
    got = await client.get(f"/v1/projects/{project['id']}/tasks/{task['id']}", headers=bob.headers)
    assert got.status_code == 200 and got.json()["title"] == "Secret task"
    assert (await client.get("/v1/projects", headers=eve.headers)).json()["items"] == []
