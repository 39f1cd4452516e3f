"""The bearer security scheme, and the tokens it has verified lately.

A verified token is kept in this process for at most TOKEN_CACHE_SECONDS, so that most requests
check theirs without a database round trip. Revoking a token (sign-out, a password change) forgets
it in this process at once, when the revocation commits; another process may take it for at most
that long more. A token is never kept past its expiry.
"""

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from service.events import queries as stream_tickets
from service.kit.columns import utcnow
from service.kit.credentials import TOKEN_PREFIX, token_digest
from service.kit.database import READ_METHODS, Database
from service.kit.problems import Unauthenticated
from service.kit.ratelimits import Limiter
from service.tokens import queries as tokens


@dataclass(frozen=True, slots=True)
class Caller:
    user_id: int
    token_id: int
    token_expires_at: datetime


class VerifiedTokens:
    """Callers by their token's digest, each kept for `seconds` at most; `size` of them at most."""

    def __init__(self, seconds: float, size: int = 10_000) -> None:
        self.seconds, self.size = seconds, size
        self.entries: OrderedDict[str, tuple[Caller, float]] = OrderedDict()

    def get(self, digest: str) -> Caller | None:
        entry = self.entries.get(digest)
        if entry is None:
            return None
        caller, fresh_until = entry
        if fresh_until < time.monotonic() or caller.token_expires_at <= utcnow():
            del self.entries[digest]
            return None
        return caller

    def put(self, digest: str, caller: Caller) -> None:
        if self.seconds <= 0:
            return
        self.entries[digest] = (caller, time.monotonic() + self.seconds)
        self.entries.move_to_end(digest)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def forget_token(self, token_id: int) -> None:
        """Forgets a token that was revoked."""
        self._forget(lambda caller: caller.token_id == token_id)

    def forget_user(self, user_id: int, *, but: int) -> None:
        """Forgets every token of the user but one: they were revoked."""
        self._forget(lambda caller: caller.user_id == user_id and caller.token_id != but)

    def _forget(self, revoked: Callable[[Caller], bool]) -> None:
        for digest, (caller, _) in list(self.entries.items()):
            if revoked(caller):
                del self.entries[digest]


async def authenticate(request: Request, session: AsyncSession, *, tickets: bool = False) -> Caller:
    """The bearer security scheme: resolves the request's token to its caller, or answers 401.

    A token verified lately needs no database. Otherwise a read checks it in the request's
    `session`; a write in a short read transaction of its own, so that it takes SQLite's write
    lock only when its handler starts.

    With `tickets` (the streamTicket scheme), a request without an Authorization header may
    carry a stream ticket instead, as the query parameter `ticket`.
    """
    if (
        tickets
        and "authorization" not in request.headers
        and (ticket := request.query_params.get("ticket")) is not None
    ):
        return await _redeem(request, ticket)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if not token and not scheme:
        raise Unauthenticated("This operation needs a bearer token.", error=None)
    if scheme.lower() != "bearer":
        # RFC 6750 3.1: no error code when the request has no bearer credentials at all.
        raise Unauthenticated("The Authorization header must be 'Bearer <token>'.", error=None)
    token = token.strip()
    if not token.startswith(TOKEN_PREFIX):
        raise Unauthenticated("The token is unknown, expired or revoked.")
    state = request.app.state
    verified: VerifiedTokens = state.verified_tokens
    digest = token_digest(token)
    caller = verified.get(digest)
    if caller is None:
        if request.method in READ_METHODS:
            found = await tokens.find_active(session, digest)
        else:
            database: Database = state.database
            async with database.reader() as reader, reader.begin():
                found = await tokens.find_active(reader, digest)
        if found is None:
            await _refuse(request, "The token is unknown, expired or revoked.")
        caller = Caller(user_id=found.user_id, token_id=found.token_id, token_expires_at=found.expires_at)
        verified.put(digest, caller)
    return caller


async def _redeem(request: Request, ticket: str) -> Caller:
    """The streamTicket scheme: the ticket is used up, and its caller is the token that made it."""
    database: Database = request.app.state.database
    async with database.short_write() as session:
        found = await stream_tickets.redeem(session, ticket)
    if found is None:
        await _refuse(request, "The stream ticket is unknown, expired, already used or revoked.")
    project_id, token = found
    if str(project_id) != request.path_params.get("projectId"):
        raise Unauthenticated("The stream ticket was made for another project's stream.")
    return Caller(user_id=token.user_id, token_id=token.token_id, token_expires_at=token.expires_at)


async def _refuse(request: Request, detail: str) -> NoReturn:
    # A lookup that found nothing costs what a request does: it counts against the address.
    limiter: Limiter = request.app.state.limiter
    await limiter.count_address(request)
    raise Unauthenticated(detail)
