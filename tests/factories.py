"""Small builders of valid objects, with overridable fields."""

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from service.app import create_app
from service.settings import Settings

_serial = itertools.count(1)
PASSWORD = "correct horse battery"


@dataclass
class SignedIn:
    user: dict[str, Any]
    token: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def new_user(**overrides: Any) -> dict[str, Any]:
    n = next(_serial)
    return {"email": f"user{n}@example.com", "password": PASSWORD, "displayName": f"User {n}", **overrides}


async def sign_up(client: httpx.AsyncClient, **overrides: Any) -> SignedIn:
    body = new_user(**overrides)
    created = await client.post("/v1/users", json=body)
    assert created.status_code == 201, created.text
    token = await client.post("/v1/tokens", json={"email": body["email"], "password": body["password"]})
    assert token.status_code == 201, token.text
    return SignedIn(user=created.json(), token=token.json()["accessToken"], password=body["password"])


async def another_token(client: httpx.AsyncClient, who: SignedIn) -> SignedIn:
    """The same user, signed in once more: another token."""
    token = await client.post("/v1/tokens", json={"email": who.user["email"], "password": who.password})
    assert token.status_code == 201, token.text
    return SignedIn(user=who.user, token=token.json()["accessToken"], password=who.password)


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem document with this status, carrying the request's id as
    its X-Request-ID header does; returns its body without that id, which differs on every request."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body.pop("requestId") == response.headers["x-request-id"]
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["type"], str) and body["type"]
    return body


async def create_project(client: httpx.AsyncClient, owner: SignedIn, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/projects", json={"name": "Board", **overrides}, headers=owner.headers)
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()
    return project


async def create_task(client: httpx.AsyncClient, member: SignedIn, project_id: int, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        f"/v1/projects/{project_id}/tasks", json={"title": "A task", **overrides}, headers=member.headers
    )
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


async def add_member(client: httpx.AsyncClient, owner: SignedIn, project_id: int, user: SignedIn) -> None:
    """Invites the user, who accepts."""
    invited = await client.post(
        f"/v1/projects/{project_id}/invitations", json={"userId": user.user["id"]}, headers=owner.headers
    )
    assert invited.status_code == 201, invited.text
    accepted = await client.post(f"/v1/invitations/{invited.json()['id']}/accept", headers=user.headers)
    assert accepted.status_code == 200, accepted.text


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a new app with these settings, its lifespan running."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://taskboard.test") as client:
            yield client


async def assert_if_match_required(client: httpx.AsyncClient, url: str, body: dict[str, Any], who: SignedIn) -> None:
    """An update without If-Match is 428, and one whose If-Match is no entity tag 400."""
    missing = assert_problem(await client.patch(url, json=body, headers=who.headers), 428)
    assert missing["detail"] == "This update needs an If-Match header with the resource's current ETag."
    for malformed in ("1", "W/1", '"1" "2"', '"1";'):
        refused = await client.patch(url, json=body, headers={**who.headers, "If-Match": malformed})
        assert assert_problem(refused, 400)["detail"] == (
            'If-Match must be * or a list of entity tags, such as "3" (with its quotes).'
        )
