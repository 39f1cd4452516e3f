"""`make admin`: the back office, its own app on ADMIN_PORT.

uvicorn --factory service.admin.app:create_app --port 8001
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqladmin import Admin
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from service.admin.auth import UNFRAMED, OperatorSignIn, csrf_token, session_keys
from service.admin.views import VIEWS
from service.kit.database import Database
from service.kit.headers import FOR_ERRORS
from service.kit.logs import configure as configure_logging
from service.kit.passwords import password_work
from service.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"
UNSERVED = {"file_download", "file_preview"}


async def unexpected(_request: Request, _exc: Exception) -> Response:
    headers = {**FOR_ERRORS, **{name.decode(): value.decode() for name, value in UNFRAMED}}
    return PlainTextResponse("The back office met an unexpected error; it is logged.", 500, headers=headers)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    configure_logging(settings.log_format, settings.log_level)
    database = Database(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await database.dispose()

    # What a load balancer or `make admin`'s supervisor asks; the back office itself needs a sign-in.
    app = Starlette(lifespan=lifespan, routes=[Route("/healthz", lambda _: PlainTextResponse("ok"))])
    sign_in = OperatorSignIn(database, password_work(settings), session_keys(settings), settings)
    admin = Admin(
        app,
        session_maker=database.reader,
        base_url="/",
        title="Taskboard back office",
        templates_dir=str(TEMPLATES),
        authentication_backend=sign_in,
    )
    # SQLAdmin serves a column's value as a file path (download, preview) from the working directory:
    # with values API users write, the database file itself. No page of the back office needs them.
    admin.admin.router.routes = [
        route for route in admin.admin.router.routes if getattr(route, "name", None) not in UNSERVED
    ]
    # Rendered outside the back office's middleware: with its headers of its own.
    admin.admin.exception_handlers[500] = unexpected
    admin.templates.env.globals["csrf_token"] = csrf_token
    admin.admin.state.database, admin.admin.state.settings = database, settings
    for view in VIEWS:
        admin.add_view(view)
    return app
