"""CORS for the frontend origins in CORS_ORIGINS."""

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

from service.kit.problems import problem_response


class Cors(CORSMiddleware):
    """Starlette's CORS; a preflight it would refuse is checked here first and answered with a
    problem document that names what was refused and the setting that would allow it.

    `methods`, `request_headers` and `response_headers` (those a script may read) are the API's, as
    its contract says (service/contract.py); `extra_headers` are accepted beyond them."""

    def __init__(
        self,
        app: ASGIApp,
        origins: list[str],
        *,
        methods: Sequence[str],
        request_headers: Sequence[str],
        response_headers: Sequence[str],
        extra_headers: Sequence[str] = (),
    ) -> None:
        self.methods = tuple(methods)
        self.accepted = (*request_headers, *(name for name in extra_headers if name not in request_headers))
        super().__init__(
            app,
            allow_origins=origins,
            allow_methods=self.methods,
            allow_headers=self.accepted,
            expose_headers=response_headers,
            max_age=600,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        if refusal := self.refusal(request_headers):
            return problem_response(400, refusal, headers={"Vary": "Origin"})
        response = super().preflight_response(request_headers)
        if response.status_code >= 400:  # refused for a reason not foreseen above
            return problem_response(400, "This cross-origin request is not allowed.", headers={"Vary": "Origin"})
        return response

    def refusal(self, request_headers: Headers) -> str | None:
        origin = request_headers["origin"]
        if not self.is_allowed_origin(origin):
            return f"The origin {origin} may not call this API from a browser: CORS_ORIGINS lists those that may."
        method = request_headers["access-control-request-method"]
        if method not in self.methods:
            return f"The method {method} is not allowed; the API takes {', '.join(self.methods)}."
        requested = request_headers.get("access-control-request-headers", "")
        refused = [name.strip() for name in requested.split(",") if name.strip().lower() not in self.allow_headers]
        if refused:
            names = ", ".join(name or '""' for name in refused)
            return (
                f"The request headers {names} are not allowed: the API accepts {', '.join(self.accepted)}, "
                "and CORS_ALLOW_HEADERS names those it accepts beyond the contract's."
            )
        return None
