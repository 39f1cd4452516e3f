from typing import Any

from sqlalchemy import Executable, Result
from starlette.datastructures import State

from service.kit.auth import Caller
from service.kit.context import Context
from service.kit.database import Database
from service.kit.pagination import Cursors
from service.kit.passwords import PasswordWork
from service.kit.problems import Unauthenticated
from service.kit.shared_secrets import shared_secret
from service.settings import Settings


class Handlers:
    """What every resource's handlers start from: the request's context (service/kit/context.py)."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.session = context.session
        self.state: State = context.state
        # For the rare read that must not wait for, or hold, the request's write transaction.
        self.database: Database = context.database
        self.settings: Settings = context.settings

    async def core(self, statement: Executable, parameters: dict[str, Any] | None = None) -> Result[Any]:
        """A Core statement run on the session's connection, with no ORM machinery around its rows."""
        connection = await self.session.connection()
        return await connection.execute(statement, parameters)

    async def cursors(self) -> Cursors:
        """Made when a list needs them, with SECRET_KEY's keys, then the key all processes share
        (which signs when SECRET_KEY is unset, and verifies the cursors it signed before it was set)."""
        keys = [key.get_secret_value() for key in self.settings.secret_key]
        return Cursors(*keys, await shared_secret(self.database, "cursors"))

    @property
    def passwords(self) -> PasswordWork:
        passwords: PasswordWork = self.state.passwords
        return passwords

    @property
    def caller(self) -> Caller:
        if self.context.caller is None:
            raise Unauthenticated("This operation needs a bearer token.", error=None)
        return self.context.caller
