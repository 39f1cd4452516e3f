"""`python -m service.seed` (`make seed`): demo data in the database, made through the API itself.

Two users who share a board of a few hundred tasks (every status, due dates, assignees), and a
second project each: a frontend develops against the real service, its paging, 404s, 412s and
streams, with something to show. Every request goes through the app in this process, as a client's
would (validation, events, idempotency), so the data is what the service would have made.
"""

import asyncio
import logging
import sys
from datetime import date, timedelta
from typing import Any

import httpx

from service.app import create_app
from service.settings import Settings

PASSWORD = "demo password"
USERS = (("ada@example.com", "Ada"), ("bob@example.com", "Bob"))
TASKS = 300
STATUSES = ("todo", "in_progress", "done")


async def seed(settings: Settings) -> dict[str, Any]:
    """Makes the demo data; what it made, by name. Refused (409) where the demo users exist."""
    # Its own requests are no client's: no rate limit slows them.
    settings = settings.model_copy(update={"rate_limit_per_user": 10**6, "rate_limit_per_address": 10**6})
    settings = settings.model_copy(update={"sign_up_per_address": 10**6})
    app = create_app(settings)
    logging.getLogger("taskboard.access").setLevel(logging.WARNING)  # a line per request is noise here
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://seed") as api:
            return await _made(api)


async def _made(api: httpx.AsyncClient) -> dict[str, Any]:
    tokens, ids = {}, {}
    for email, name in USERS:
        user = _ok(await api.post("/v1/users", json={"email": email, "password": PASSWORD, "displayName": name}))
        token = _ok(await api.post("/v1/tokens", json={"email": email, "password": PASSWORD}))
        tokens[name], ids[name] = {"Authorization": f"Bearer {token['accessToken']}"}, user["id"]
    ada, bob = tokens["Ada"], tokens["Bob"]
    board = _ok(await api.post("/v1/projects", json={"name": "Launch", "description": "The demo board"}, headers=ada))
    invitation = _ok(
        await api.post(f"/v1/projects/{board['id']}/invitations", json={"userId": ids["Bob"]}, headers=ada)
    )
    _ok(await api.post(f"/v1/invitations/{invitation['id']}/accept", headers=bob))
    today = date.today()
    for n in range(TASKS):
        task: dict[str, Any] = {"title": f"Task {n + 1}", "status": STATUSES[n % 3]}
        if n % 4:
            task["dueDate"] = (today + timedelta(days=n % 60 - 20)).isoformat()
        if n % 5 == 0:
            task["assigneeId"] = ids["Bob" if n % 2 else "Ada"]
        _ok(await api.post(f"/v1/projects/{board['id']}/tasks", json=task, headers=ada if n % 2 else bob))
    for who, name in ((ada, "Ada's notes"), (bob, "Bob's notes")):
        _ok(await api.post("/v1/projects", json={"name": name}, headers=who))
    return {"users": [email for email, _ in USERS], "password": PASSWORD, "board": board["id"], "tasks": TASKS}


def _ok(answer: httpx.Response) -> Any:
    if answer.is_error:
        raise SystemExit(f"{answer.request.method} {answer.request.url.path}: {answer.status_code} {answer.text}")
    return answer.json() if answer.content else None


def main() -> int:
    made = asyncio.run(seed(Settings()))
    users = " and ".join(made["users"])
    print(f"made {users} (password {made['password']!r}), sharing project {made['board']} of {made['tasks']} tasks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
