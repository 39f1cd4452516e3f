"""Password hashing with Argon2, bounded so that a burst of sign-ins cannot take the process down.

One Argon2 computation holds a core and 64 MiB for a tenth of a second or so. `PasswordWork` lets
at most `slots` requests at once do such work (each in a thread off the event loop), so the loop
keeps a core of its own for everyone else. Anonymous work (sign-in, sign-up) waits in a short line of at most
`backlog` requests: a request that finds the line full is refused at once, and one that does not
get a slot within `wait_seconds` gives up; both answer 503 with Retry-After. Signed-in work (a
password change) does not count against the line, and takes a free slot before any anonymous work.
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request

from service.kit.problems import ServiceUnavailable

_hasher = PasswordHasher()
# Verified when the email is unknown, so that a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("taskboard-dummy-password")
BUSY = "Too many sign-ins and sign-ups at once; retry after Retry-After seconds."


class PasswordWork:
    def __init__(self, slots: int, backlog: int, wait_seconds: float) -> None:
        self.slots, self.backlog, self.wait_seconds = slots, backlog, wait_seconds
        self.running = 0
        self.anonymous = 0  # admitted anonymous requests: running or waiting
        self._waiting: dict[bool, deque[asyncio.Future[None]]] = {False: deque(), True: deque()}

    @asynccontextmanager
    async def turn(self, *, anonymous: bool) -> AsyncIterator[None]:
        """A slot for Argon2 work (`hash_password`, `verify_password`), or 503 when none comes."""
        if anonymous and self.anonymous >= self.slots + self.backlog:
            raise ServiceUnavailable(BUSY, 1)
        self.anonymous += anonymous
        try:
            await self._acquire(anonymous)
            try:
                yield
            finally:
                self._release()
        finally:
            self.anonymous -= anonymous

    async def _acquire(self, anonymous: bool) -> None:
        if self.running < self.slots and not any(self._waiting.values()):
            self.running += 1
            return
        turn = asyncio.get_running_loop().create_future()
        line = self._waiting[anonymous]
        line.append(turn)
        try:
            async with asyncio.timeout(self.wait_seconds):
                await turn
        except BaseException as error:
            if turn in line:
                line.remove(turn)
            elif turn.done() and not turn.cancelled():
                self._release()  # handed a slot just as it gave up: pass it on
            if isinstance(error, TimeoutError):
                raise ServiceUnavailable(BUSY, max(1, round(self.wait_seconds))) from None
            raise

    def _release(self) -> None:
        # The slot passes straight to the next in line, signed-in work first.
        for line in (self._waiting[False], self._waiting[True]):
            while line:
                turn = line.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self.running -= 1


async def hash_password(password: str) -> str:
    """Argon2, off the event loop: for a request that holds a `PasswordWork.turn`."""
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Argon2, off the event loop: for a request that holds a `PasswordWork.turn`. `None` stands for
    an unknown account: a dummy hash is verified, so that it takes as long, and the answer is False."""
    return await anyio.to_thread.run_sync(_verify, password_hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        _hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


async def _app_passwords(request: Request) -> PasswordWork:
    passwords: PasswordWork = request.app.state.passwords
    return passwords


AppPasswords = Annotated[PasswordWork, Depends(_app_passwords)]
