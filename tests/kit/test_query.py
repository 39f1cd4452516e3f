"""Query parameters are as strict as bodies: one that the operation does not define is a 400."""

import httpx

from tests.factories import assert_problem, create_project, sign_up


async def test_an_unknown_query_parameter_is_refused_naming_it(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    await create_project(client, ada)

    listed = await client.get("/v1/projects", params={"limit": 5, "pageSize": 5, "Cursor": "x"}, headers=ada.headers)
    problem = assert_problem(listed, 400)
    assert problem["detail"] == (
        "The query parameters Cursor, pageSize are not defined for this operation, which takes cursor, limit."
    )
    me = assert_problem(await client.get("/v1/users/me?verbose", headers=ada.headers), 400)
    assert me["detail"] == "The query parameters verbose are not defined for this operation, which takes none."
    # Before the caller is known, and for the probes too.
    assert_problem(await client.get("/v1/users/me?verbose"), 400)
    assert_problem(await client.get("/healthz?check=db"), 400)


async def test_defined_query_parameters_go_through(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    tasks = f"/v1/projects/{project['id']}/tasks"
    listed = await client.get(f"{tasks}?status=todo&status=done&sort=-createdAt&limit=2", headers=ada.headers)
    assert listed.status_code == 200 and listed.json() == {"items": [], "nextCursor": None}
    assert (await client.get("/v1/users/me?", headers=ada.headers)).status_code == 200
