"""What a browser does with the service: the docs, offline, calls from frontend origins (CORS), and an
EventSource opened with a stream ticket."""

import json
from pathlib import Path

import httpx
import pytest
import yaml

from generated.api import OPERATIONS
from tests.browser import ARTIFACTS, headless, page_result, static_pages
from tests.conftest import UNLIMITED
from tests.live import ROOT, LiveServer

# A browser takes the machine: alone. And once: nothing here is the database's.
pytestmark = [pytest.mark.serial, pytest.mark.sqlite]


def test_the_docs_render_every_operation_offline(live_server: LiveServer, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    url = f"{live_server.url}/docs"
    dom = headless(url, tmp_path / "profile", "--dump-dom")
    # Swagger UI rendered the contract: its title, and one block per operation (a deprecated one struck through).
    assert "Taskboard" in dom
    blocks = dom.count('class="opblock-summary-path"') + dom.count('class="opblock-summary-path__deprecated"')
    assert blocks == len(OPERATIONS)
    paths = yaml.safe_load((ROOT / "openapi.yaml").read_text())["paths"].values()
    deprecated = [op for item in paths for op in item.values() if isinstance(op, dict) and op.get("deprecated")]
    assert dom.count('class="opblock-summary-path__deprecated"') == len(deprecated) > 0
    for path in ("/v1/projects/{projectId}/tasks/{taskId}", "/v1/tokens/current", "/readyz"):
        assert f'data-path="{path}"' in dom
    headless(url, tmp_path / "profile", f"--screenshot={ARTIFACTS}/docs.png", "--window-size=1280,2000")
    assert (ARTIFACTS / "docs.png").stat().st_size > 10_000


# Signs up, signs in and creates a project with the headers a traced frontend sends, then shows
# what it could read of the answer, or the error fetch gave.
PAGE = """<!DOCTYPE html><html><body><pre id="out">pending</pre><script>
const api = API, traced = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                           "X-Request-ID": "req-1"};
const json = (token, body) => ({method: "POST", body: JSON.stringify(body), headers: {
  ...traced, "Content-Type": "application/json", ...(token ? {"Authorization": "Bearer " + token} : {})}});
(async () => {
  const out = document.getElementById("out");
  try {
    const credentials = {email: "ada@example.com", password: "correct horse battery"};
    await fetch(api + "/v1/users", json(null, {...credentials, displayName: "Ada"}));
    const token = await (await fetch(api + "/v1/tokens", json(null, credentials))).json();
    const created = await fetch(api + "/v1/projects", json(token.accessToken, {name: "Board"}));
    out.textContent = JSON.stringify({status: created.status, etag: created.headers.get("ETag"),
                                      location: created.headers.get("Location"), name: (await created.json()).name});
  } catch (error) {
    out.textContent = JSON.stringify({refused: error.name});
  }
})();
</script></body></html>"""


def test_a_frontend_origin_calls_the_api_and_another_is_refused(database_url: str, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    with static_pages(pages) as allowed, static_pages(pages) as other:
        env = {**UNLIMITED, "CORS_ORIGINS": allowed.url, "EXPORT_DIR": str(tmp_path / "exports")}
        with LiveServer(database_url, env) as api:
            (pages / "board.html").write_text(PAGE.replace("API", json.dumps(api.url)))
            called = page_result(f"{allowed.url}/board.html", tmp_path / "one")
            refused = page_result(f"{other.url}/board.html", tmp_path / "two")
    assert called == {"status": 201, "etag": '"1"', "location": called["location"], "name": "Board"}
    assert str(called["location"]).startswith("/v1/projects/")
    assert refused == {"refused": "TypeError"}  # what fetch throws when CORS refuses


# Opens the project's event stream as a browser can, with a ticket (EventSource sends no
# Authorization header), then creates a task and shows the event that announced it.
STREAM_PAGE = """<!DOCTYPE html><html><body><pre id="out">pending</pre><script>
const api = API, auth = {"Authorization": "Bearer " + TOKEN}, out = document.getElementById("out");
const post = (path, body) => fetch(api + path, {method: "POST", headers: {...auth, "Content-Type": "application/json"},
                                                body: body && JSON.stringify(body)});
(async () => {
  const {ticket} = await (await post("/v1/projects/PROJECT/events/tickets")).json();
  const stream = new EventSource(api + "/v1/projects/PROJECT/events?ticket=" + encodeURIComponent(ticket));
  stream.onopen = () => post("/v1/projects/PROJECT/tasks", {title: "Seen live"});
  stream.addEventListener("task.created", (event) => {
    stream.close();
    out.textContent = JSON.stringify({event: event.type, id: event.lastEventId, title: JSON.parse(event.data).title});
  });
  stream.onerror = () => { stream.close(); out.textContent = JSON.stringify({error: stream.readyState}); };
})();
</script></body></html>"""


def test_a_browser_opens_the_event_stream_with_a_ticket(database_url: str, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    with static_pages(pages) as frontend:
        env = {**UNLIMITED, "CORS_ORIGINS": frontend.url, "EXPORT_DIR": str(tmp_path / "exports")}
        with LiveServer(database_url, env) as api, httpx.Client(base_url=api.url) as client:
            token = _signed_up(client)
            project = client.post("/v1/projects", json={"name": "Live"}, headers={"Authorization": f"Bearer {token}"})
            page = STREAM_PAGE.replace("API", json.dumps(api.url)).replace("TOKEN", json.dumps(token))
            (pages / "live.html").write_text(page.replace("PROJECT", str(project.json()["id"])))
            event = page_result(f"{frontend.url}/live.html", tmp_path / "profile")
    assert event == {"event": "task.created", "id": event["id"], "title": "Seen live"}
    assert str(event["id"]).isdigit()


def _signed_up(client: httpx.Client) -> str:
    credentials = {"email": "live@example.com", "password": "correct horse battery"}
    assert client.post("/v1/users", json={**credentials, "displayName": "Live"}).status_code == 201
    token: str = client.post("/v1/tokens", json=credentials).json()["accessToken"]
    return token
