"""A request's context: the one dependency of every generated route.

It authenticates the caller (where the operation's security requires it), counts the request
against its rate limit (unless the operation says `x-rate-limited: false`), and opens the
request's session with its one commit point: the transaction commits when the handler returns and
rolls back when it raises, before the response is sent, so a failed commit still becomes a proper
error response.
"""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from service.kit.auth import Caller, authenticate
from service.kit.database import AFTER_COMMIT, READ_METHODS, Database
from service.kit.problems import BadRequest
from service.kit.ratelimits import Limiter
from service.settings import Settings

SCHEMES = frozenset({"bearerAuth", "streamTicket"})


@dataclass(frozen=True, slots=True)
class Context:
    request: Request
    session: AsyncSession
    caller: Caller | None  # None on public operations

    @property
    def state(self) -> State:
        """The app's resources (lifespan)."""
        state: State = self.request.app.state
        return state

    @property
    def settings(self) -> Settings:
        settings: Settings = self.state.settings
        return settings

    @property
    def database(self) -> Database:
        database: Database = self.state.database
        return database


def request_context(
    *, security: tuple[str, ...], limited: bool, query: tuple[str, ...]
) -> Callable[[Request], AsyncIterator[Context]]:
    """The dependency of the routes with this security requirement, rate limit and query parameters."""
    if unknown := set(security) - SCHEMES:
        raise ValueError(f"no security scheme {', '.join(sorted(unknown))} in this app")
    defined = frozenset(query)
    tickets = "streamTicket" in security
    takes = f"takes {', '.join(query)}" if query else "takes none"

    async def context(request: Request) -> AsyncIterator[Context]:
        # Refused before any other work, as strictly as a body's unknown member.
        if request.scope["query_string"] and (unexpected := request.query_params.keys() - defined):
            names = ", ".join(sorted(unexpected))
            raise BadRequest(f"The query parameters {names} are not defined for this operation, which {takes}.")
        state = request.app.state
        database: Database = state.database
        factory = database.reader if request.method in READ_METHODS else database.writer
        async with factory() as session:
            async with session.begin():
                caller = None
                if security:
                    caller = await authenticate(request, session, tickets=tickets)
                    request.state.user_id = caller.user_id  # for the request's log line
                if limited:
                    limiter: Limiter = state.limiter
                    await limiter.count(request, caller)
                yield Context(request, session, caller)
            # Committed: only now may the world hear of it.
            for callback in session.info.pop(AFTER_COMMIT, []):
                callback(state)

    return context
