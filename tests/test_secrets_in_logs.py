"""No secret reaches a log line or a response: passwords, tokens, token digests, password hashes.

A real server logs as much as it can while a whole flow runs over HTTP, the failures included;
then every line it wrote, and every response it sent, is searched for each secret. A token may
appear in one place only: the body of the createToken response that issued it.
"""

import asyncio
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import create_async_engine

from service.kit.columns import utcnow
from service.kit.credentials import token_digest
from service.tables import AccessToken, SharedSecret, User
from tests.conftest import UNLIMITED
from tests.live import LiveServer

P = "first secret password"
P2 = "second secret password"
WRONG = ("wrong secret password", "first secret passwore")  # a typo of P is as secret as P
EMAIL = "logged@example.com"
TRACE = 5  # uvicorn's level below DEBUG: every ASGI message


def log_config(everything: bool) -> dict[str, Any]:
    """Every line to stderr, named by its logger; uvicorn's and the service's own loggers at their lowest.

    With `everything`, every other logger at DEBUG too (SQLAlchemy sets its own to WARNING unless told).
    """
    level = "DEBUG" if everything else "WARNING"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
        "loggers": {"uvicorn": {"level": TRACE}, "taskboard": {"level": "DEBUG"}, "sqlalchemy": {"level": level}},
        "root": {"level": level, "handlers": ["stderr"]},
    }


# How verbose the server is. Always: uvicorn at its trace level, its access log, the service's own
# loggers at DEBUG, and its JSON lines. `database-echo` adds DATABASE_ECHO=true, the service's
# switch for logging SQL, and traces printed a span a line (a statement's span holds its text).
# `all-debug` puts every library's logger at DEBUG instead (SQLAlchemy's statements and result rows,
# aiosqlite's calls, asyncio's), as a deployment's logging config might.
VERBOSITY: dict[str, tuple[dict[str, str], bool]] = {
    "server": ({}, False),
    "database-echo": (
        {"DATABASE_ECHO": "true", "OTEL_TRACES_EXPORTER": "console", "OTEL_TRACES_SAMPLER": "always_on"},
        False,
    ),
    "all-debug": ({}, True),
}


@dataclass
class Flow:
    """Every response of the flow, and the secrets it made."""

    client: httpx.Client
    database_url: str
    responses: list[httpx.Response] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    # Which response issued each token: the one place that token may appear.
    issued_by: dict[str, httpx.Response] = field(default_factory=dict)

    def send(self, method: str, url: str, expect: int, **kwargs: Any) -> httpx.Response:
        response = self.client.request(method, url, **kwargs)
        self.responses.append(response)
        assert response.status_code == expect, f"{method} {url}: {response.status_code} {response.text}"
        return response

    def sign_in(self, password: str) -> str:
        response = self.send("POST", "/v1/tokens", 201, json={"email": EMAIL, "password": password})
        token: str = response.json()["accessToken"]
        name = f"token {len(self.issued_by) + 1}"
        self.secrets[name], self.secrets[f"SHA-256 digest of {name}"] = token, token_digest(token)
        self.issued_by[token] = response
        return token

    def keep_password_hashes(self) -> None:
        for password_hash in asyncio.run(password_hashes(self.database_url)):
            if password_hash not in self.secrets.values():
                name = f"password hash {sum(n.startswith('password hash') for n in self.secrets) // 2 + 1}"
                self.secrets[name] = password_hash
                # Its last field alone, the hash proper, in case a log line shortens the whole.
                self.secrets[f"{name} (its hash field)"] = password_hash.rsplit("$", 1)[-1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def run_flow(flow: Flow) -> None:
    flow.secrets.update({"password P": P, "new password P2": P2} | {f"wrong password {w!r}": w for w in WRONG})
    send = flow.send
    send("POST", "/v1/users", 201, json={"email": EMAIL, "password": P, "displayName": "Logged"})
    flow.keep_password_hashes()  # this one is gone from the database once P2 replaces it
    for wrong in WRONG:
        send("POST", "/v1/tokens", 401, json={"email": EMAIL, "password": wrong})
    send("POST", "/v1/tokens", 401, json={"email": "nobody@example.com", "password": P})
    token = flow.sign_in(P)
    other = flow.sign_in(P)  # revoked by the password change below
    expired = flow.sign_in(P)
    asyncio.run(expire(flow.database_url, expired))
    send("GET", "/v1/users/me", 401, headers=bearer(expired))
    for garbage in ("tb_" + "x" * 43, "not-a-token", f"{token}x"):
        send("GET", "/v1/users/me", 401, headers=bearer(garbage))
    send("GET", "/v1/users/me", 401, headers={"Authorization": token})

    # Malformed JSON (400), the password where it does not belong (422), a body of the wrong type (415).
    send("POST", "/v1/tokens", 400, content=f'{{"email": "{EMAIL}", "password": "{P}', headers=JSON)
    send("POST", "/v1/users", 400, content=f'{{"email": "{EMAIL}" "password": "{P}"}}', headers=JSON)
    send("POST", "/v1/users", 422, json={"email": P, "password": P, "displayName": "Logged", "passwd": P})
    send("POST", "/v1/tokens", 422, json={"email": EMAIL, "password": P, "token": token})
    send("POST", "/v1/tokens", 415, content=f"email={EMAIL}&password={P}", headers={"Content-Type": "text/plain"})
    send("PATCH", "/v1/users/me", 422, json={"password": P2}, headers=bearer(token))  # currentPassword missing
    send("PATCH", "/v1/users/me", 422, json={"displayName": P, "password": "short"}, headers=bearer(token))
    send("PATCH", "/v1/users/me", 403, json={"password": P2, "currentPassword": WRONG[0]}, headers=bearer(token))
    send("PATCH", "/v1/users/me", 200, json={"password": P2, "currentPassword": P}, headers=bearer(token))
    send("GET", "/v1/users/me", 401, headers=bearer(other))
    send("POST", "/v1/tokens", 401, json={"email": EMAIL, "password": P})
    fresh = flow.sign_in(P2)

    project = send("POST", "/v1/projects", 201, json={"name": "Logged project"}, headers=bearer(token)).json()
    tasks = f"/v1/projects/{project['id']}/tasks"
    send("POST", tasks, 201, json={"title": "Logged task"}, headers=bearer(fresh))
    again = {**bearer(token), "Idempotency-Key": "logged-key-1"}
    send("POST", tasks, 201, json={"title": "Once"}, headers=again)
    assert send("POST", tasks, 201, json={"title": "Once"}, headers=again).headers["idempotent-replayed"] == "true"
    send("POST", tasks, 422, json={"title": "Twice"}, headers=again)
    send("POST", tasks, 422, json={"title": "x", "status": P}, headers=bearer(token))
    send("PATCH", f"{tasks}/9000000000", 404, json={"title": P}, headers={**bearer(token), "If-Match": "*"})
    export = send("POST", f"/v1/projects/{project['id']}/exports", 202, json={"format": "csv"}, headers=bearer(token))
    deadline = time.monotonic() + 10
    while send("GET", export.headers["location"], 200, headers=bearer(token)).json()["status"] != "succeeded":
        assert time.monotonic() < deadline, "the export did not succeed within 10 s"
        time.sleep(0.05)
    send("GET", f"{export.headers['location']}/content", 200, headers=bearer(token))
    # A stream ticket rides in a URL, which uvicorn logs: used, then refused once used up.
    made = send("POST", f"/v1/projects/{project['id']}/events/tickets", 201, headers=bearer(token))
    ticket = made.json()["ticket"]
    flow.secrets |= {"stream ticket": ticket, "SHA-256 digest of the stream ticket": token_digest(ticket)}
    flow.issued_by[ticket] = made
    with flow.client.stream("GET", f"/v1/projects/{project['id']}/events", params={"ticket": ticket}) as stream:
        assert stream.status_code == 200
    send("GET", f"/v1/projects/{project['id']}/events", 401, params={"ticket": ticket})
    # The same parameter, its name percent-encoded: the service decodes it, and so must the logs.
    send("GET", f"/v1/projects/{project['id']}/events?%74icket={ticket}", 401)
    # A list with a next page: its cursor is signed with the key the processes share.
    page = send("GET", tasks, 200, params={"limit": 1}, headers=bearer(token)).json()
    send("GET", tasks, 200, params={"limit": 1, "cursor": page["nextCursor"]}, headers=bearer(token))

    send("DELETE", "/v1/tokens/current", 204, headers=bearer(token))
    send("GET", "/v1/users/me", 401, headers=bearer(token))
    send("DELETE", "/v1/tokens/current", 401, headers=bearer(token))
    send("GET", "/v1/users/me", 200, headers=bearer(fresh))
    flow.keep_password_hashes()
    flow.secrets |= {f"shared secret {name!r}": value for name, value in asyncio.run(shared_secrets(flow.database_url))}


JSON = {"Content-Type": "application/json"}


async def password_hashes(database_url: str) -> list[str]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            return list((await connection.scalars(select(User.password_hash))).all())
    finally:
        await engine.dispose()


async def shared_secrets(database_url: str) -> list[tuple[str, str]]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(select(SharedSecret.name, SharedSecret.value))).all()
    finally:
        await engine.dispose()
    assert {name for name, _ in rows} == {"cursors", "sign-in"}, "the flow should have made both"
    return [(name, value) for name, value in rows]


async def expire(database_url: str, token: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            ago = utcnow() - timedelta(hours=1)
            await connection.execute(
                update(AccessToken).where(AccessToken.token_hash == token_digest(token)).values(expires_at=ago)
            )
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Leak:
    secret: str
    source: str  # the logger, or "responses"
    where: str
    text: str


def log_leaks(secrets: dict[str, str], lines: list[str]) -> Iterator[Leak]:
    for number, line in enumerate(lines, 1):
        for name, secret in secrets.items():
            if secret in line:
                yield Leak(name, logger_of(line), f"server log line {number}", line)


def logger_of(line: str) -> str:
    """The logger that wrote a line: the service's JSON line, the test's plain format, or SQLAlchemy's
    echo handler's."""
    if line.startswith("{"):
        return str(json.loads(line).get("logger", "?"))
    found = re.search(r"\b(?:TRACE|DEBUG|INFO|WARNING|ERROR|CRITICAL) ([\w.]+)", line)
    return found.group(1) if found else "?"


def report(leaks: list[Leak]) -> str:
    """Each leaked secret, where it leaked and how often, and its first offending lines."""
    by_secret: dict[str, list[Leak]] = {}
    for leak in leaks:
        by_secret.setdefault(leak.secret, []).append(leak)
    parts = [f"{len(by_secret)} secrets leaked:"]
    for secret, found in by_secret.items():
        parts.append(f"- {secret}: {len(found)} times, from {sorted({leak.source for leak in found})}")
        parts.extend(f"    {leak.where}: {leak.text[:400]}" for leak in found[:2])
    return "\n".join(parts)


def response_leaks(flow: Flow) -> Iterator[Leak]:
    for response in flow.responses:
        request = f"the response to {response.request.method} {response.request.url.path} ({response.status_code})"
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.multi_items())
        for name, secret in flow.secrets.items():
            if secret in headers:
                yield Leak(name, "responses", f"{request}, its headers", headers)
            if secret in response.text and flow.issued_by.get(secret) is not response:
                yield Leak(name, "responses", f"{request}, its body", response.text)


# The database's own log lines differ by database; the service's are the same whatever it is.
@pytest.mark.parametrize(
    "verbosity", [pytest.param(v, marks=[] if v == "database-echo" else [pytest.mark.once]) for v in VERBOSITY]
)
def test_no_secret_in_any_log_line_or_response(verbosity: str, database_url: str, tmp_path: Path) -> None:
    extra, everything = VERBOSITY[verbosity]
    env = dict(extra)
    config_file = tmp_path / "logging.json"
    config_file.write_text(json.dumps(log_config(everything)))
    log_file = tmp_path / "server.log"
    # uvicorn takes any option from a UVICORN_ variable; LiveServer asks for its access log with `log`.
    env |= {"UVICORN_LOG_LEVEL": "trace", "UVICORN_LOG_CONFIG": str(config_file), "UVICORN_ACCESS_LOG": "true"}
    env |= {"PYTHONUNBUFFERED": "1", "EXPORT_DIR": str(tmp_path / "exports"), **UNLIMITED}
    with LiveServer(database_url, env, log=log_file) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        flow = Flow(client, database_url)
        run_flow(flow)
    lines = log_file.read_text(errors="replace").splitlines()
    # The server did log, at every level asked for: a search of nothing would prove nothing.
    assert any(line.startswith("TRACE uvicorn.asgi") for line in lines)
    assert any("uvicorn.asgi" in line and "b'ticket=[hidden]'" in line for line in lines)
    assert any("uvicorn.asgi" in line and "b'%74icket=[hidden]'" in line for line in lines)
    # uvicorn's access log, asked for, stays off: the service writes each request's line itself.
    assert not any("uvicorn.access" in line for line in lines)
    assert any(line.startswith('{"level": "INFO", "logger": "taskboard.access"') for line in lines)
    if "DATABASE_ECHO" in extra or everything:
        assert any("sqlalchemy.engine" in line and "user_account" in line for line in lines)
    if "OTEL_TRACES_EXPORTER" in extra:
        spans = [json.loads(line) for line in lines if line.startswith('{"name": ')]
        assert {"createToken", "streamProjectEvents"} <= {span["name"] for span in spans}
        assert any("user_account" in span["attributes"].get("db.statement", "") for span in spans)

    leaks = [*response_leaks(flow), *log_leaks(flow.secrets, lines)]
    if everything:
        leaks = [leak for leak in leaks if not row_logged_hash(leak)]
    assert not leaks, f"{report(leaks)}\nThe server's whole log: {log_file}"


def row_logged_hash(leak: Leak) -> bool:
    """What a deployment's own DEBUG logging of SQLAlchemy shows: result rows. A sign-in must read
    the account's password hash, and a process reads each shared secret once. No setting of the
    service turns that on (DATABASE_ECHO logs statements, without their values); the README says so."""
    read_in_rows = leak.secret.startswith(("password hash", "shared secret"))
    return read_in_rows and leak.source == "sqlalchemy.engine.Engine" and "Row (" in leak.text
