"""Password hashing with Argon2, bounded so that a burst of password work cannot take a process down.

One Argon2 computation holds a core and 64 MiB for a tenth of a second or so. `PasswordWork` runs
at most `slots` at once, each in a thread off the event loop, so the loop keeps a core for every
other request. The requests that may do such work (sign-in, sign-up, a password change) are
admitted first: at most `slots + backlog` at a time; one more is refused at once, before it costs
anything. An admitted request waits for a slot in turn, first come first served, and gives up
after `wait_seconds`. Both refusals are 503 with Retry-After.
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service.kit.problems import ServiceUnavailable
from service.settings import Settings

T = TypeVar("T")
BUSY = "Too many passwords to check at once; retry after Retry-After seconds."


class PasswordWork:
    def __init__(self, slots: int, backlog: int, wait_seconds: float, hasher: PasswordHasher | None = None) -> None:
        self.slots, self.backlog, self.wait_seconds = slots, backlog, wait_seconds
        self.hasher = hasher or PasswordHasher()
        # Verified when the email is unknown, so that a wrong email costs as long as a wrong password.
        self._dummy_hash = self.hasher.hash("taskboard-dummy-password")
        self.admitted_now = 0
        self.running = 0
        self._line: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """A place among the requests doing password work, or 503 at once when there is none."""
        if self.admitted_now >= self.slots + self.backlog:
            raise ServiceUnavailable(BUSY, 1)
        self.admitted_now += 1
        try:
            yield
        finally:
            self.admitted_now -= 1

    async def hash(self, password: str) -> str:
        return await self._in_turn(self.hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """`None` stands for an unknown account: a dummy hash is verified, so that it takes as long,
        and the answer is False."""
        return await self._in_turn(self._verify, password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            self.hasher.verify(password_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    async def _in_turn(self, work: Callable[..., T], *args: Any) -> T:
        await self._acquire()
        try:
            return await anyio.to_thread.run_sync(work, *args)
        finally:
            self._release()

    async def _acquire(self) -> None:
        if self.running < self.slots and not self._line:
            self.running += 1
            return
        turn = asyncio.get_running_loop().create_future()
        self._line.append(turn)
        try:
            async with asyncio.timeout(self.wait_seconds):
                await turn
        except BaseException as error:
            if turn in self._line:
                self._line.remove(turn)
            elif turn.done() and not turn.cancelled():
                self._release()  # handed a slot just as it gave up: pass it on
            if isinstance(error, TimeoutError):
                raise ServiceUnavailable(BUSY, max(1, round(self.wait_seconds))) from None
            raise

    def _release(self) -> None:
        # The slot passes straight to the next in line.
        while self._line:
            turn = self._line.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.running -= 1


def password_work(settings: Settings) -> PasswordWork:
    """The process's password work, at the settings' cost and bounds."""
    hasher = PasswordHasher(
        time_cost=settings.password_hash_time_cost,
        memory_cost=settings.password_hash_memory_kib,
        parallelism=settings.password_hash_parallelism,
    )
    return PasswordWork(
        settings.password_hashing_concurrency,
        settings.password_hashing_backlog,
        settings.password_hashing_wait_seconds,
        hasher,
    )
