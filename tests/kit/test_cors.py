import pytest

from service.settings import Settings
from tests.factories import assert_problem, client_for, sign_up

# The HTTP layer, the same whatever the database.
pytestmark = pytest.mark.once

FRONTEND = "https://board.example"


@pytest.fixture
def with_cors(settings: Settings) -> Settings:
    return settings.model_copy(update={"cors_origins": [FRONTEND]})


async def test_a_preflight_from_a_configured_origin_is_allowed(with_cors: Settings) -> None:
    async with client_for(with_cors) as client:
        response = await client.options(
            "/v1/projects/1/tasks/2",
            headers={
                "Origin": FRONTEND,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization, content-type, if-match",
            },
        )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert "PATCH" in response.headers["access-control-allow-methods"]
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "if-match", "idempotency-key", "last-event-id"} <= allowed
    # What tracing and error-reporting libraries add to a frontend's requests, by default.
    assert {"traceparent", "tracestate", "baggage", "x-request-id"} <= allowed


async def test_cors_allow_headers_replaces_the_extra_headers(with_cors: Settings) -> None:
    settings = Settings.model_validate(
        {**with_cors.model_dump(), "cors_allow_headers": "sentry-trace, X-Client-Version"}
    )
    request = {"Origin": FRONTEND, "Access-Control-Request-Method": "GET"}
    async with client_for(settings) as client:
        sentry = await client.options(
            "/v1/projects", headers={**request, "Access-Control-Request-Headers": "sentry-trace,x-client-version"}
        )
        traceparent = await client.options(
            "/v1/projects", headers={**request, "Access-Control-Request-Headers": "traceparent"}
        )
    assert sentry.status_code == 200
    problem = assert_problem(traceparent, 400)
    assert problem["detail"].startswith("The request headers traceparent are not allowed")
    assert "sentry-trace, X-Client-Version, and CORS_ALLOW_HEADERS" in problem["detail"]


@pytest.mark.parametrize(
    ("origin", "method", "headers", "detail"),
    [
        (
            "https://evil.example",
            "GET",
            "",
            "The origin https://evil.example may not call this API from a browser: CORS_ORIGINS lists those that may.",
        ),
        (FRONTEND, "TRACE", "", "The method TRACE is not allowed; the API takes DELETE, GET, PATCH, POST, PUT."),
        (
            FRONTEND,
            "GET",
            "authorization, X-Debug, x-trace",
            "The request headers X-Debug, x-trace are not allowed: the API accepts Authorization, Content-Type, "
            "Idempotency-Key, If-Match, If-None-Match, Last-Event-ID, X-Request-ID, traceparent, tracestate, baggage, "
            "and CORS_ALLOW_HEADERS names those it accepts beyond the contract's.",
        ),
    ],
)
async def test_other_preflights_get_a_problem_naming_what_was_refused(
    with_cors: Settings, origin: str, method: str, headers: str, detail: str
) -> None:
    request = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        request["Access-Control-Request-Headers"] = headers
    async with client_for(with_cors) as client:
        response = await client.options("/v1/projects", headers=request)
    problem = assert_problem(response, 400)
    assert problem["detail"] == detail
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-origin" not in response.headers


async def test_responses_to_a_configured_origin_let_the_browser_read_them(with_cors: Settings) -> None:
    async with client_for(with_cors) as client:
        ada = await sign_up(client)
        response = await client.post(
            "/v1/projects", json={"name": "Board"}, headers={**ada.headers, "Origin": FRONTEND}
        )
        other = await client.get("/v1/users/me", headers={**ada.headers, "Origin": "https://evil.example"})
    assert response.status_code == 201
    assert response.headers["access-control-allow-origin"] == FRONTEND
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    # Every header the contract documents on an answer: the request id too, which a bug report quotes.
    assert {"etag", "location", "retry-after", "idempotent-replayed", "www-authenticate", "x-request-id"} <= exposed
    assert other.status_code == 200
    assert "access-control-allow-origin" not in other.headers


async def test_without_configured_origins_no_origin_is_allowed(settings: Settings) -> None:
    async with client_for(settings) as client:
        response = await client.options(
            "/v1/projects", headers={"Origin": FRONTEND, "Access-Control-Request-Method": "GET"}
        )
    assert_problem(response, 400)
