from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from service.kit.database import READ_METHODS, AppDatabase, DbSession
from service.kit.problems import Unauthenticated
from service.kit.ratelimits import limit_address
from service.kit.secrets import TOKEN_PREFIX
from service.tables import User
from service.tokens import queries as tokens


@dataclass(frozen=True, slots=True)
class Caller:
    user: User
    token_id: int
    token_expires_at: datetime


async def authenticate(request: Request, database: AppDatabase, db: DbSession) -> Caller:
    """The bearer security scheme: resolves the request's token to its user, or answers 401.

    In a short read transaction of its own, so that a writing request takes SQLite's write lock
    only when its handler starts, not while the token is checked.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if not token and not scheme:
        raise Unauthenticated("This operation needs a bearer token.", error=None)
    if scheme.lower() != "bearer":
        # RFC 6750 3.1: no error code when the request has no bearer credentials at all.
        raise Unauthenticated("The Authorization header must be 'Bearer <token>'.", error=None)
    if not token.strip().startswith(TOKEN_PREFIX):
        raise Unauthenticated("The token is unknown, expired or revoked.")
    if request.method in READ_METHODS:
        found = await tokens.find_active(db, token.strip())
    else:
        async with database.reader() as session, session.begin():
            found = await tokens.find_active(session, token.strip())
    if found is None:
        # A lookup that found nothing costs what a request does: it counts against the address.
        await limit_address(request)
        raise Unauthenticated("The token is unknown, expired or revoked.")
    caller = Caller(user=found.user, token_id=found.token_id, token_expires_at=found.expires_at)
    request.state.caller = caller
    return caller


async def _signed_in(request: Request) -> Caller | None:
    caller: Caller | None = getattr(request.state, "caller", None)
    return caller


# The caller that the operation's security requirement authenticated; None on public operations.
# The generated routes run the security dependency before they build the handlers.
MaybeCaller = Annotated[Caller | None, Depends(_signed_in)]
