"""The Python SDK for code that wants success types: `unwrap` and its exceptions, `iterate` over pages."""

import asyncio
from typing import get_args, get_overloads, get_type_hints

import pytest
from taskboard_client import AuthenticatedClient, Client, models, pages
from taskboard_client.api.projects import create_project, get_project
from taskboard_client.api.tasks import create_task, list_tasks, update_task
from taskboard_client.api.tokens import create_token
from taskboard_client.api.users import create_user, get_current_user
from taskboard_client.models import Problem, ProjectCreate, TaskCreate, TaskUpdate, TokenCreate, UserCreate
from taskboard_client.pages import aiterate, iterate
from taskboard_client.problems import (
    NotFound,
    PreconditionFailed,
    Unauthorized,
    ValidationFailed,
    unwrap,
    unwrap_with_response,
)

from tests.live import LiveServer

# The SDK's work is the same on either database: once.
pytestmark = pytest.mark.once


def signed_in(url: str, email: str) -> AuthenticatedClient:
    with Client(base_url=url) as public:
        unwrap(
            create_user.sync_detailed(
                client=public, body=UserCreate(email=email, password="pass phrase 1", display_name="P")
            )
        )
        token = unwrap(
            create_token.sync_detailed(client=public, body=TokenCreate(email=email, password="pass phrase 1"))
        )
    return AuthenticatedClient(base_url=url, token=token.access_token)


def test_unwrap_gives_the_success_type_or_raises_the_problems_own_exception(live_server: LiveServer) -> None:
    with signed_in(live_server.url, "unwrap@example.com") as client:
        project = unwrap(create_project.sync_detailed(client=client, body=ProjectCreate(name="Typed")))
        task = unwrap(create_task.sync_detailed(project.id, client=client, body=TaskCreate(title="First")))
        assert task.title == "First" and task.project_id == project.id

        with pytest.raises(NotFound) as missing:
            unwrap(get_project.sync_detailed(project.id + 1000, client=client, x_request_id="report-me"))
        assert missing.value.status == 404 and missing.value.request_id == "report-me"
        assert isinstance(missing.value.problem, Problem) and missing.value.problem.request_id == "report-me"

        with pytest.raises(ValidationFailed) as invalid:
            unwrap(create_task.sync_detailed(project.id, client=client, body=TaskCreate(title="")))
        assert [error.pointer for error in invalid.value.errors] == ["/title"]

        stale = TaskUpdate(title="Late")
        with pytest.raises(PreconditionFailed):
            unwrap(update_task.sync_detailed(project.id, task.id, client=client, body=stale, if_match='"999"'))

        created = unwrap_with_response(create_task.sync_detailed(project.id, client=client, body=TaskCreate(title="E")))
        assert created.etag == created.response.headers["ETag"] and created.etag.startswith('"')
        assert created.request_id == created.response.headers["X-Request-ID"] and created.data.title == "E"
        edited = update_task.sync_detailed(
            project.id, created.data.id, client=client, body=TaskUpdate(title="F"), if_match=created.etag
        )
        assert unwrap_with_response(edited).data.title == "F"
        with pytest.raises(NotFound):
            unwrap_with_response(get_project.sync_detailed(project.id + 1000, client=client))

    with AuthenticatedClient(base_url=live_server.url, token="tb_not_a_token") as stranger:
        with pytest.raises(Unauthorized) as refused:
            unwrap(get_current_user.sync_detailed(client=stranger))
        assert str(refused.value).startswith("401: ")


def test_iterate_follows_every_page_and_raises_a_problem(live_server: LiveServer) -> None:
    with signed_in(live_server.url, "pages@example.com") as client:
        project = unwrap(create_project.sync_detailed(client=client, body=ProjectCreate(name="Paged")))
        titles = [f"Task {n}" for n in range(7)]
        for title in titles:
            unwrap(create_task.sync_detailed(project.id, client=client, body=TaskCreate(title=title)))

        assert [task.title for task in iterate(list_tasks, client, project.id, limit=3)] == titles
        with pytest.raises(NotFound):
            next(iterate(list_tasks, client, project.id + 1000))

    async def collected() -> list[str]:
        async with signed_in(live_server.url, "apages@example.com") as async_client:
            mine = unwrap(await create_project.asyncio_detailed(client=async_client, body=ProjectCreate(name="A")))
            for title in titles:
                await create_task.asyncio_detailed(mine.id, client=async_client, body=TaskCreate(title=title))
            return [task.title async for task in aiterate(list_tasks, async_client, mine.id, limit=2)]

    assert asyncio.run(collected()) == titles


def test_iterate_and_aiterate_are_typed_for_every_page_of_the_contract() -> None:
    pages_of_the_contract = {model for name, model in vars(models).items() if name.endswith("Page")}
    for function in (pages.iterate, pages.aiterate):
        typed = {get_args(get_type_hints(each)["operation"])[0] for each in get_overloads(function)}
        assert typed == pages_of_the_contract, function.__name__
