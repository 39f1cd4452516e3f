from service.kit.auth import Caller, MaybeCaller
from service.kit.database import DbSession
from service.kit.problems import Unauthenticated
from service.settings import AppSettings, Settings


class Handlers:
    """What every resource's handlers start from: the request's session, caller and settings."""

    def __init__(self, db: DbSession, caller: MaybeCaller, settings: AppSettings) -> None:
        self.db = db
        self.settings: Settings = settings
        self._caller = caller

    @property
    def caller(self) -> Caller:
        if self._caller is None:
            raise Unauthenticated("This operation needs a bearer token.", error=None)
        return self._caller
