"""Several real service processes sharing one database, as several workers or machines would."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from tests.conftest import UNLIMITED
from tests.factories import PASSWORD, new_user
from tests.live import LiveServer


@contextmanager
def cluster(database_url: str, size: int, tmp_path: Path, **env: str) -> Iterator[list[LiveServer]]:
    """`size` processes on one database, sharing nothing else (not even a SECRET_KEY)."""
    shared = {
        "EXPORT_DIR": str(tmp_path / "exports"),
        **UNLIMITED,
        **env,
    }
    with ExitStack() as stack:
        yield [stack.enter_context(LiveServer(database_url, shared)) for _ in range(size)]


async def signed_in(http: httpx.AsyncClient, sign_up_at: str = "", sign_in_at: str | None = None) -> dict[str, str]:
    """A new account's bearer header; sign-up and sign-in may go to different processes."""
    user = new_user()
    assert (await http.post(f"{sign_up_at}/v1/users", json=user)).status_code == 201
    credentials = {"email": user["email"], "password": PASSWORD}
    token = await http.post(f"{sign_up_at if sign_in_at is None else sign_in_at}/v1/tokens", json=credentials)
    assert token.status_code == 201, token.text
    return {"Authorization": f"Bearer {token.json()['accessToken']}"}
