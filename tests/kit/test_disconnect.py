"""A client that goes away in the middle of its request body: nothing is done, nothing is logged."""

import asyncio
import socket
from pathlib import Path

import httpx
import pytest

from tests.live import LiveServer
from tests.reliability.cluster import signed_in


@pytest.mark.once  # the HTTP layer, whatever the database
async def test_a_client_gone_before_its_body_arrived_leaves_no_trace(database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with LiveServer(database_url, log=log) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            auth = await signed_in(http)
            project = (await http.post("/v1/projects", json={"name": "P"}, headers=auth)).json()["id"]
            for _ in range(5):
                with socket.create_connection(("127.0.0.1", server.port)) as sock:
                    sock.sendall(
                        f"POST /v1/projects/{project}/tasks HTTP/1.1\r\nHost: x\r\n"
                        f"Authorization: {auth['Authorization']}\r\nContent-Type: application/json\r\n"
                        'Content-Length: 100\r\n\r\n{"title": '.encode()
                    )
                    await asyncio.sleep(0.2)
            await asyncio.sleep(0.5)
            listed = await http.get(f"/v1/projects/{project}/tasks", headers=auth)
            assert listed.status_code == 200
            assert listed.json()["items"] == []
    written = log.read_text()
    assert "Traceback" not in written and "Exception in ASGI application" not in written, written
