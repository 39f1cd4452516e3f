"""Schemathesis hooks: every fuzzed request is authenticated as a real, freshly signed-up user.

A fresh user per token, because the fuzzer itself revokes tokens (revokeCurrentToken) and
changes passwords (updateCurrentUser); on a 401 schemathesis asks for a new token and replays.
"""

import os
import uuid
from typing import Any

import httpx
import schemathesis

PASSWORD = "fuzzing passphrase"


def sign_up(base_url: str) -> str:
    email = f"fuzz-{uuid.uuid4().hex}@example.com"
    with httpx.Client(base_url=base_url, timeout=10) as client:
        created = client.post("/v1/users", json={"email": email, "password": PASSWORD, "displayName": "Fuzzer"})
        created.raise_for_status()
        token = client.post("/v1/tokens", json={"email": email, "password": PASSWORD})
        token.raise_for_status()
        access_token: str = token.json()["accessToken"]
        return access_token


@schemathesis.auth(refresh_interval=600)
class FreshUser:
    def get(self, case: Any, context: Any) -> str:
        return sign_up(os.environ["TASKBOARD_URL"])

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
