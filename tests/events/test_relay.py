"""The relay that feeds each process's broadcaster."""

import pytest

from service.settings import Settings
from tests.events.conftest import Events, serve, until
from tests.factories import create_project, create_task, sign_up


@pytest.mark.postgresql
async def test_the_listening_connection_is_made_like_every_other(settings: Settings) -> None:
    # Options in DATABASE_URL are the driver's: they reach LISTEN's connection too, not the server.
    with_options = settings.model_copy(update={"database_url": settings.database_url + "?ssl=disable"})
    async with serve(with_options) as served:
        await until(lambda: served.app.state.broadcaster.fed)
        ada = await sign_up(served.client)
        project = await create_project(served.client, ada)
        async with served.client.stream("GET", f"/v1/projects/{project['id']}/events", headers=ada.headers) as stream:
            assert stream.status_code == 200
            await create_task(served.client, ada, project["id"])
            [event] = await Events(stream).take(1)
    assert event["event"] == "task.created"
