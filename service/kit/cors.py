"""CORS for the frontend origins in CORS_ORIGINS."""

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

from service.kit.problems import problem_response

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# The request headers the contract defines, and the response headers a browser script may read.
REQUEST_HEADERS = ("Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key", "Last-Event-ID")
EXPOSED_HEADERS = ("ETag", "Location", "Retry-After", "Idempotent-Replayed", "Content-Disposition")


class Cors(CORSMiddleware):
    """Starlette's CORS, answering a refused preflight with a problem document like every error."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        super().__init__(
            app,
            allow_origins=origins,
            allow_methods=METHODS,
            allow_headers=REQUEST_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        kept = {k: v for k, v in response.headers.items() if k not in ("content-type", "content-length")}
        return problem_response(400, f"{bytes(response.body).decode()}.", headers=kept)
