from functools import cached_property

from service.kit.auth import Caller, MaybeCaller
from service.kit.database import AppDatabase, Database, DbSession
from service.kit.pagination import Cursors
from service.kit.problems import Unauthenticated
from service.settings import AppSettings, Settings


class Handlers:
    """What every resource's handlers start from: the request's session, caller and settings."""

    def __init__(self, db: DbSession, caller: MaybeCaller, settings: AppSettings, database: AppDatabase) -> None:
        self.db = db
        # For the rare read that must not wait for, or hold, the request's write transaction.
        self.database: Database = database
        self.settings: Settings = settings
        self._caller = caller

    @cached_property
    def cursors(self) -> Cursors:
        # Made when a list needs it, not on every request.
        return Cursors(self.settings.secret_key.get_secret_value())

    @property
    def caller(self) -> Caller:
        if self._caller is None:
            raise Unauthenticated("This operation needs a bearer token.", error=None)
        return self._caller
