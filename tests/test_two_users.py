"""Two users, every operation: bob can neither read, change nor detect anything of ada's.

Where bob names one of ada's objects he gets exactly the answer for an object that does not exist;
where an operation is about the caller's own things, he gets only his. Afterwards ada's objects are
as they were, and her tokens still work.
"""

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from generated.api import OPERATIONS
from service.kit.events import log as events
from service.tables import ProjectEvent
from tests.factories import SignedIn, assert_problem, create_project, sign_up

OPERATION = {op.operation_id: op for op in OPERATIONS}


@dataclass(frozen=True)
class Ids:
    """The objects one request aims at."""

    project: int
    task: int
    export: int
    user: int
    invitation: int


# Nothing has these ids; each kind its own, so that a problem's text can be mapped back to ada's ids.
NOWHERE = Ids(
    project=9_000_000_001, task=9_000_000_002, export=9_000_000_003, user=9_000_000_004, invitation=9_000_000_005
)


@dataclass(frozen=True)
class Call:
    """One request to an operation: its path parameters, body and headers."""

    params: dict[str, int] = field(default_factory=dict)
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)


# (operationId, the status bob must get, the request given the ids he aims at). Each is sent twice:
# aimed at ada's objects and aimed at NOWHERE, and both answers must be the same.
Probe = tuple[str, int, Callable[[Ids], Call]]
# Creations made with an Idempotency-Key: (operationId, key, body).
Keys = list[tuple[str, str, dict[str, Any]]]
IF_ANY = {"If-Match": "*"}


def probes(bob: Ids) -> list[Probe]:
    return [
        ("getProject", 404, lambda t: Call({"projectId": t.project})),
        # A current ETag must not turn the 404 into a 304.
        ("getProject", 404, lambda t: Call({"projectId": t.project}, headers={"If-None-Match": '"1"'})),
        # Nor may a current or stale If-Match turn it into a 200 or a 412; a missing one is 428
        # before any project is looked up, the same for ada's and for none.
        ("updateProject", 428, lambda t: Call({"projectId": t.project}, json={"name": "Bob's now"})),
        ("updateProject", 404, lambda t: Call({"projectId": t.project}, {"name": "x"}, {"If-Match": '"1"'})),
        ("updateProject", 404, lambda t: Call({"projectId": t.project}, {"name": "x"}, {"If-Match": '"99"'})),
        ("deleteProject", 404, lambda t: Call({"projectId": t.project})),
        ("streamProjectEvents", 404, lambda t: Call({"projectId": t.project})),
        ("streamProjectEvents", 404, lambda t: Call({"projectId": t.project}, headers={"Last-Event-ID": "0"})),
        ("createStreamTicket", 404, lambda t: Call({"projectId": t.project})),
        ("listMembers", 404, lambda t: Call({"projectId": t.project})),
        ("addMember", 404, lambda t: Call({"projectId": t.project, "userId": bob.user})),
        ("addMember", 404, lambda t: Call({"projectId": t.project, "userId": t.user})),
        # Not 409 "the owner stays": that would tell ada owns it.
        ("removeMember", 404, lambda t: Call({"projectId": t.project, "userId": t.user})),
        ("removeMember", 404, lambda t: Call({"projectId": t.project, "userId": bob.user})),
        ("removeMember", 404, lambda t: Call({"projectId": bob.project, "userId": t.user})),
        ("listProjectInvitations", 404, lambda t: Call({"projectId": t.project})),
        ("createInvitation", 404, lambda t: Call({"projectId": t.project}, json={"userId": bob.user})),
        ("revokeInvitation", 404, lambda t: Call({"projectId": t.project, "invitationId": t.invitation})),
        ("revokeInvitation", 404, lambda t: Call({"projectId": bob.project, "invitationId": t.invitation})),
        # Ada's invitation of someone else: bob can neither see, take nor turn it down.
        ("getInvitation", 404, lambda t: Call({"invitationId": t.invitation})),
        ("acceptInvitation", 404, lambda t: Call({"invitationId": t.invitation})),
        ("declineInvitation", 404, lambda t: Call({"invitationId": t.invitation})),
        ("listTasks", 404, lambda t: Call({"projectId": t.project})),
        ("createTask", 404, lambda t: Call({"projectId": t.project}, json={"title": "Planted"})),
        # Ada is not a member of bob's project: as unassignable as nobody.
        ("createTask", 422, lambda t: Call({"projectId": bob.project}, json={"title": "x", "assigneeId": t.user})),
        ("getTask", 404, lambda t: Call({"projectId": t.project, "taskId": t.task})),
        # Ada's task through bob's own project.
        ("getTask", 404, lambda t: Call({"projectId": bob.project, "taskId": t.task})),
        ("updateTask", 428, lambda t: Call({"projectId": t.project, "taskId": t.task}, {"title": "x"})),
        ("updateTask", 404, lambda t: Call({"projectId": t.project, "taskId": t.task}, {"title": "x"}, IF_ANY)),
        ("updateTask", 404, lambda t: Call({"projectId": bob.project, "taskId": t.task}, {"title": "x"}, IF_ANY)),
        (
            "updateTask",
            422,
            lambda t: Call({"projectId": bob.project, "taskId": bob.task}, {"assigneeId": t.user}, IF_ANY),
        ),
        ("deleteTask", 404, lambda t: Call({"projectId": t.project, "taskId": t.task})),
        ("deleteTask", 404, lambda t: Call({"projectId": bob.project, "taskId": t.task})),
        ("listExports", 404, lambda t: Call({"projectId": t.project})),
        ("createExport", 404, lambda t: Call({"projectId": t.project}, json={"format": "csv"})),
        ("getExport", 404, lambda t: Call({"exportId": t.export})),
        ("downloadExport", 404, lambda t: Call({"exportId": t.export})),
    ]


@dataclass
class World:
    client: httpx.AsyncClient
    ada: SignedIn
    bob: SignedIn
    ada_ids: Ids
    bob_ids: Ids
    ada_keys: Keys
    app: FastAPI

    async def send(self, who: SignedIn | None, operation_id: str, call: Call | None = None) -> httpx.Response:
        """The request, with the method and path of the operation in the contract."""
        call = call or Call()
        op = OPERATION[operation_id]
        headers = {**(who.headers if who else {}), **call.headers}
        return await self.client.request(op.method, op.path.format(**call.params), json=call.json, headers=headers)

    def ada_reads(self) -> list[tuple[str, Call]]:
        """Everything ada can see of her own."""
        p, t, e = self.ada_ids.project, self.ada_ids.task, self.ada_ids.export
        return [
            ("getCurrentUser", Call()),
            ("listUsers", Call()),
            ("listProjects", Call()),
            ("getProject", Call({"projectId": p})),
            ("listMembers", Call({"projectId": p})),
            ("listProjectInvitations", Call({"projectId": p})),
            ("listTasks", Call({"projectId": p})),
            ("getTask", Call({"projectId": p, "taskId": t})),
            ("listExports", Call({"projectId": p})),
            ("getExport", Call({"exportId": e})),
            ("downloadExport", Call({"exportId": e})),
        ]


# The caller's own operations, and the public ones: what each shows bob, and that it leaves ada alone.


async def own_current_user(w: World) -> None:
    me = (await w.send(w.bob, "getCurrentUser")).json()
    assert (me["id"], me["email"]) == (w.bob.user["id"], w.bob.user["email"])


async def own_update(w: World) -> None:
    renamed = await w.send(w.bob, "updateCurrentUser", Call(json={"displayName": "Bob, renamed"}))
    assert renamed.status_code == 200 and renamed.json()["id"] == w.bob.user["id"]
    # Ada's password is no key to bob's account, and says nothing more than a wrong one.
    with_adas = await w.send(w.bob, "updateCurrentUser", Call(json=new_password(w.ada.password)))
    with_wrong = await w.send(w.bob, "updateCurrentUser", Call(json=new_password("not anyone's password")))
    assert assert_problem(with_adas, 403) == assert_problem(with_wrong, 403)
    # Revokes bob's other tokens: none of ada's (checked at the end).
    changed = await w.send(w.bob, "updateCurrentUser", Call(json=new_password(w.bob.password)))
    assert changed.status_code == 200, changed.text
    w.bob.password = NEW_PASSWORD


NEW_PASSWORD = "bob's brand new password"


def new_password(current: str) -> dict[str, str]:
    return {"password": NEW_PASSWORD, "currentPassword": current}


async def own_user_list(w: World) -> None:
    # They share no project: bob works with nobody but himself.
    users = (await w.send(w.bob, "listUsers")).json()["items"]
    assert [u["id"] for u in users] == [w.bob.user["id"]]


async def public_profile(w: World) -> None:
    ada = w.ada.user
    for who in (w.bob, None):
        profile = await w.send(who, "getUser", Call({"userId": ada["id"]}))
        assert profile.status_code == 200
        # The public profile, and nothing private: no email, no dates.
        assert profile.json() == {"id": ada["id"], "displayName": ada["displayName"]}
        assert ada["email"].lower() not in profile.text.lower()
    assert_problem(await w.send(w.bob, "getUser", Call({"userId": NOWHERE.user})), 404)


async def sign_up_with_adas_email(w: World) -> None:
    # Taken, in any letter case (the contract's 409); the answer names nothing else of ada's.
    body = {"email": w.ada.user["email"].upper(), "password": "bob's takeover", "displayName": "Not Ada"}
    taken = assert_problem(await w.send(None, "createUser", Call(json=body)), 409)
    assert str(w.ada.user["id"]) not in json.dumps(taken) and w.ada.user["displayName"] not in json.dumps(taken)
    assert (await sign_in(w, w.ada.user["email"], w.ada.password)).status_code == 201
    assert (await sign_in(w, w.ada.user["email"], "bob's takeover")).status_code == 401


async def own_tokens(w: World) -> None:
    mine = await sign_in(w, w.bob.user["email"], w.bob.password)
    token = {"Authorization": f"Bearer {mine.json()['accessToken']}"}
    assert (await w.client.get("/v1/users/me", headers=token)).json()["id"] == w.bob.user["id"]
    # Ada's email with bob's password: the very answer an unknown email gets.
    adas = await sign_in(w, w.ada.user["email"], w.bob.password)
    nobodys = await sign_in(w, "nobody@example.com", w.bob.password)
    assert assert_problem(adas, 401) == assert_problem(nobodys, 401)
    assert adas.headers["www-authenticate"] == nobodys.headers["www-authenticate"]


async def sign_in(w: World, email: str, password: str) -> httpx.Response:
    return await w.send(None, "createToken", Call(json={"email": email, "password": password}))


async def own_revoke(w: World) -> None:
    # A token of bob's own for this, so that the sweep's token stays valid.
    signed_in = await sign_in(w, w.bob.user["email"], w.bob.password)
    extra = dataclasses.replace(w.bob, token=signed_in.json()["accessToken"])
    assert (await w.send(extra, "revokeCurrentToken")).status_code == 204
    assert_problem(await w.send(extra, "getCurrentUser"), 401)
    assert (await w.send(w.bob, "getCurrentUser")).status_code == 200


async def own_projects(w: World) -> None:
    projects = (await w.send(w.bob, "listProjects")).json()["items"]
    assert w.bob_ids.project in [p["id"] for p in projects]
    assert all(p["ownerId"] == w.bob.user["id"] for p in projects)
    assert w.ada_ids.project not in [p["id"] for p in projects]


async def own_idempotency_keys(w: World) -> None:
    # A key is the caller's own: ada's key, with ada's very body, replays nothing of hers for bob.
    for operation_id, key, body in w.ada_keys:
        params = {"projectId": w.bob_ids.project} if operation_id == "createTask" else {}
        created = await w.send(w.bob, operation_id, Call(params, body, {"Idempotency-Key": key}))
        assert created.status_code == 201, created.text
        assert "idempotent-replayed" not in created.headers
        assert created.json()["id"] not in (w.ada_ids.project, w.ada_ids.task)
        if operation_id == "createProject":
            assert created.json()["ownerId"] == w.bob.user["id"]
        else:
            assert created.json()["projectId"] == w.bob_ids.project


async def own_invitations(w: World) -> None:
    # Invited to nothing: ada's invitation of someone else is not among his, nor in his feed.
    assert (await w.send(w.bob, "listInvitations")).json() == {"items": [], "nextCursor": None}
    # What his stream would send from the log's start (a stream of this in-process app never ends;
    # tests/events/test_invitation_events.py follows one on a server).
    feed = events.invitations_feed(w.bob.user["id"])
    assert [event async for event in events.backlog(w.app.state.database.reader, feed, 0)] == []


async def own_export(w: World) -> None:
    export = await finished_export(w.client, w.bob, w.bob_ids.project)
    assert export["projectId"] == w.bob_ids.project
    content = await w.send(w.bob, "downloadExport", Call({"exportId": export["id"]}))
    assert content.status_code == 200
    tasks = [json.loads(line) for line in content.text.splitlines()]
    assert w.bob_ids.task in [t["id"] for t in tasks] and w.ada_ids.task not in [t["id"] for t in tasks]
    assert {t["projectId"] for t in tasks} == {w.bob_ids.project}


async def health(w: World) -> None:
    for operation_id in ("getHealth", "getReadiness"):
        response = await w.send(w.bob, operation_id)
        assert response.status_code == 200 and response.json() == {"status": "ok"}
        # Not the request id: random hex, which may spell "ada".
        headers = {name: value for name, value in response.headers.items() if name != "x-request-id"}
        seen = (response.text + json.dumps(headers)).lower()
        for user in (w.ada.user, w.bob.user):
            assert user["email"].lower() not in seen and user["displayName"].lower() not in seen


# (the operations a check covers, the check), run in this order.
OWN: list[tuple[tuple[str, ...], Callable[[World], Awaitable[None]]]] = [
    (("getCurrentUser",), own_current_user),
    (("updateCurrentUser",), own_update),
    (("listUsers",), own_user_list),
    (("getUser",), public_profile),
    (("createUser",), sign_up_with_adas_email),
    (("createToken",), own_tokens),
    (("revokeCurrentToken",), own_revoke),
    (("listProjects",), own_projects),
    (("listInvitations", "streamInvitations"), own_invitations),
    (("createProject", "createTask"), own_idempotency_keys),
    (("createExport", "getExport", "downloadExport"), own_export),
    (("getHealth", "getReadiness"), health),
]


def test_the_sweep_covers_every_operation_of_the_contract() -> None:
    swept = {name for name, *_ in probes(NOWHERE)} | {name for names, _ in OWN for name in names}
    assert swept == {op.operation_id for op in OPERATIONS}


async def finished_export(client: httpx.AsyncClient, who: SignedIn, project_id: int) -> dict[str, Any]:
    """A new export of the project, once it has succeeded."""
    created = await client.post(f"/v1/projects/{project_id}/exports", json={"format": "ndjson"}, headers=who.headers)
    assert created.status_code == 202, created.text
    async with asyncio.timeout(10):
        while True:
            export: dict[str, Any] = (await client.get(created.headers["location"], headers=who.headers)).json()
            if export["status"] not in ("queued", "running"):
                break
            await asyncio.sleep(0.05)
    assert export["status"] == "succeeded", export
    return export


async def board_of(client: httpx.AsyncClient, who: SignedIn, name: str, invitee: SignedIn) -> tuple[Ids, Keys]:
    """A project with a task, an export and a pending invitation of `invitee`; the project and the task
    made with Idempotency-Keys of their own."""
    keys: Keys = [
        ("createProject", f"{name}-project", {"name": f"{name}'s project"}),
        ("createTask", f"{name}-task", {"title": f"{name}'s task"}),
    ]
    (_, project_key, project_body), (_, task_key, task_body) = keys
    project = await client.post(
        "/v1/projects", json=project_body, headers={**who.headers, "Idempotency-Key": project_key}
    )
    assert project.status_code == 201, project.text
    url = f"/v1/projects/{project.json()['id']}/tasks"
    task = await client.post(url, json=task_body, headers={**who.headers, "Idempotency-Key": task_key})
    assert task.status_code == 201, task.text
    export = await finished_export(client, who, project.json()["id"])
    invitations = f"/v1/projects/{project.json()['id']}/invitations"
    invitation = await client.post(invitations, json={"userId": invitee.user["id"]}, headers=who.headers)
    assert invitation.status_code == 201, invitation.text
    ids = Ids(
        project=project.json()["id"],
        task=task.json()["id"],
        export=export["id"],
        user=who.user["id"],
        invitation=invitation.json()["id"],
    )
    return ids, keys


async def test_bob_can_neither_read_change_nor_detect_adas_things(client: httpx.AsyncClient, app: FastAPI) -> None:
    ada = await sign_up(client, displayName="Ada", password="ada's own password")
    bob = await sign_up(client, displayName="Bob", password="bob's own password")
    cy = await sign_up(client, displayName="Cy")
    (ada_ids, ada_keys), (bob_ids, _) = await board_of(client, ada, "Ada", cy), await board_of(client, bob, "Bob", cy)
    ada_second_token = await client.post("/v1/tokens", json={"email": ada.user["email"], "password": ada.password})
    assert ada_second_token.status_code == 201
    w = World(client, ada, bob, ada_ids, bob_ids, ada_keys, app)
    before = [await snapshot(w, name, call) for name, call in w.ada_reads()]
    events_before = await event_count(app, ada_ids.project)

    for name, status, request in probes(bob_ids):
        seen = await w.send(bob, name, request(ada_ids))
        unseen = await w.send(bob, name, request(NOWHERE))
        where = f"{name} {request(ada_ids)}"
        assert seen.status_code == unseen.status_code == status, f"{where}: {seen.status_code} {seen.text}"
        assert set(seen.headers) == set(unseen.headers), where
        assert seen.headers["content-type"] == unseen.headers["content-type"] == "application/problem+json", where
        # The same answer word for word, but for the ids that the request named (and its own id).
        seen_body, unseen_body = seen.json(), json.loads(as_aimed_at(ada_ids, unseen.text))
        assert seen_body.pop("requestId") == seen.headers["x-request-id"], where
        assert unseen_body.pop("requestId") == unseen.headers["x-request-id"], where
        assert seen_body == unseen_body, where

    for _, check in OWN:
        await check(w)

    assert [await snapshot(w, name, call) for name, call in w.ada_reads()] == before
    assert await event_count(app, ada_ids.project) == events_before
    second = {"Authorization": f"Bearer {ada_second_token.json()['accessToken']}"}
    assert (await client.get("/v1/users/me", headers=second)).json()["id"] == ada.user["id"]
    await create_project(client, ada, name="Ada can still write")


def as_aimed_at(ids: Ids, text: str) -> str:
    """The text of an answer to a request aimed at NOWHERE, as if it had been aimed at `ids`."""
    for nowhere, real in zip(dataclasses.astuple(NOWHERE), dataclasses.astuple(ids), strict=True):
        text = text.replace(str(nowhere), str(real))
    return text


async def snapshot(w: World, operation_id: str, call: Call) -> tuple[str, int, str | None, bytes]:
    response = await w.send(w.ada, operation_id, call)
    assert response.status_code == 200, f"{operation_id}: {response.text}"
    return operation_id, response.status_code, response.headers.get("etag"), response.content


async def event_count(app: FastAPI, project_id: int) -> int:
    """Changes to a project leave events, even those that no read shows."""
    async with app.state.database.reader() as session:
        count = await session.scalar(
            select(func.count()).select_from(ProjectEvent).where(ProjectEvent.project_id == project_id)
        )
    return int(count or 0)
