from service.kit.auth import Caller, MaybeCaller
from service.kit.database import AppDatabase, Database, DbSession
from service.kit.pagination import Cursors
from service.kit.problems import Unauthenticated
from service.kit.secrets import shared_secret
from service.settings import AppSettings, Settings


class Handlers:
    """What every resource's handlers start from: the request's session, caller and settings."""

    def __init__(self, db: DbSession, caller: MaybeCaller, settings: AppSettings, database: AppDatabase) -> None:
        self.db = db
        # For the rare read that must not wait for, or hold, the request's write transaction.
        self.database: Database = database
        self.settings: Settings = settings
        self._caller = caller

    async def cursors(self) -> Cursors:
        """Made when a list needs them, with SECRET_KEY or else the key all processes share."""
        key = self.settings.secret_key
        return Cursors(key.get_secret_value() if key else await shared_secret(self.database, "cursors"))

    @property
    def caller(self) -> Caller:
        if self._caller is None:
            raise Unauthenticated("This operation needs a bearer token.", error=None)
        return self._caller
