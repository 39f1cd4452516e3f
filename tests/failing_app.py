"""The service with one more route, which exists only in tests: it fails as a bug would."""

from fastapi import FastAPI

from service.app import create_app as create_service


class Bug(RuntimeError):
    pass


def create_app() -> FastAPI:
    app = create_service()

    async def fail() -> None:
        raise Bug("internal detail 7f3a that no client may see")

    app.add_api_route("/v1/failing", fail, methods=["GET"])
    return app
