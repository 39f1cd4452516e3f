"""The back office and the public API, each a real uvicorn process on one database, and an
operator's browser reduced to an HTTP client that keeps cookies and sends forms as a page does."""

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import UNLIMITED
from tests.live import CHEAP_PASSWORDS, ROOT, LiveServer

PASSWORD = "correct horse battery staple"


def make_operator(database_url: str, email: str, role: str = "admin", password: str = PASSWORD) -> str:
    """`make operator`: what it prints."""
    env = {**os.environ, "DATABASE_URL": database_url, "OPERATOR_PASSWORD": password, **CHEAP_PASSWORDS}
    done = subprocess.run(
        [sys.executable, "-m", "service.admin.operators", email, "--role", role],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextmanager
def servers(database_url: str, tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    """The public API (tokens checked in the database at every request) and the back office."""
    exports = {"EXPORT_DIR": str(tmp_path / "exports")}
    api_env = {**UNLIMITED, **exports, "TOKEN_CACHE_SECONDS": "0", "EXPORT_SWEEP_SECONDS": "0.2"}
    with LiveServer(database_url, api_env) as api, LiveServer(database_url, exports, app=ADMIN_APP) as office:
        yield api, office


ADMIN_APP = "service.admin.app:create_app"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Operator:
    """A signed-in (or not) operator's browser."""

    def __init__(self, url: str, address: str = "127.0.0.1") -> None:
        """`address`: the loopback address the browser connects from, the client address the back
        office sees (127.0.0.2 and on reach a server on 127.0.0.1 too)."""
        self.url = url
        transport = httpx.HTTPTransport(local_address=address)
        self.client = httpx.Client(
            base_url=url, headers={"Origin": url}, follow_redirects=False, timeout=10, transport=transport
        )

    def __enter__(self) -> "Operator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def page(self, path: str) -> httpx.Response:
        return self.client.get(path)

    def token(self, path: str = "/login") -> str:
        found = CSRF.search(self.page(path).text)
        assert found, f"no form with a CSRF token on {path}"
        return found.group(1)

    def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        form = {"csrf_token": self.token(), "email": email, "password": password}
        return self.client.post("/login", data=form)

    def act(self, path: str, page: str, **form: str) -> httpx.Response:
        """Sends the form of `page` that posts to `path`."""
        return self.client.post(path, data={"csrf_token": self.token(page), **form})


def rows(database_url: str, statement: object) -> list[object]:
    async def read() -> list[object]:
        engine = create_async_engine(database_url)
        async with engine.connect() as connection:
            found = list((await connection.execute(statement)).all())  # type: ignore[call-overload]
        await engine.dispose()
        return found

    return asyncio.run(read())


def run_sql(database_url: str, statement: object) -> None:
    async def write() -> None:
        engine = create_async_engine(database_url)
        async with engine.begin() as connection:
            await connection.execute(statement)  # type: ignore[call-overload]
        await engine.dispose()

    asyncio.run(write())
