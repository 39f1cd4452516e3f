"""`make seed`: demo data made through the API, which a frontend then reads as any client would."""

import httpx
import pytest

from service.seed import PASSWORD, TASKS, seed
from service.settings import Settings

# Made through the app, as on either database: once.
pytestmark = pytest.mark.once


async def test_seed_makes_a_shared_board_that_signs_in_and_pages(settings: Settings, client: httpx.AsyncClient) -> None:
    made = await seed(settings)
    assert made["tasks"] == TASKS
    signed_in = await client.post("/v1/tokens", json={"email": "bob@example.com", "password": PASSWORD})
    bob = {"Authorization": f"Bearer {signed_in.json()['accessToken']}"}
    members = (await client.get(f"/v1/projects/{made['board']}/members", headers=bob)).json()["items"]
    assert sorted(m["role"] for m in members) == ["member", "owner"]
    seen, cursor = 0, None
    while True:
        page = await client.get(
            f"/v1/projects/{made['board']}/tasks",
            params={"limit": 100, **({"cursor": cursor} if cursor else {})},
            headers=bob,
        )
        assert page.status_code == 200
        seen += len(page.json()["items"])
        if (cursor := page.json()["nextCursor"]) is None:
            break
    assert seen == TASKS
    todo = await client.get(f"/v1/projects/{made['board']}/tasks", params={"status": "todo", "limit": 100}, headers=bob)
    assert len(todo.json()["items"]) == TASKS // 3
    with pytest.raises(SystemExit, match="409"):  # the demo users exist
        await seed(settings)
