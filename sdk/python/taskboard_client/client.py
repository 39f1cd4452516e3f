"""Clients of the Taskboard API: `Client` for its public operations, `AuthenticatedClient` for the rest.

Made by `make generate` from codegen/sdk_python/templates/client.py.jinja: not to be edited here.

Each holds an httpx client (made when first used; one for sync calls, one for async calls) that
waits 30 s at most for each step of a call (connecting, sending, each read of the answer), tries
again the calls that may be repeated when they get no answer (or part of one), 429 or 503
(retries.py), and passes the caller's trace context on with every request when OpenTelemetry is
in use (tracing.py).

    with AuthenticatedClient(base_url="https://taskboard.example", token=token) as client:
        task = get_task.sync(client=client, project_id=7, task_id=12)
"""

import ssl
from typing import Any, Self

import httpx
from attrs import define, evolve, field

from .retries import AsyncRetryingTransport, Retries, RetryingTransport
from .tracing import inject_trace_context, inject_trace_context_async

DEFAULT_TIMEOUT = httpx.Timeout(30.0)


@define
class Client:
    """A client for the public operations (and the base of AuthenticatedClient).

    Keyword arguments, used to make the httpx clients:
        ``base_url``: the service's address; every request goes to a path under it.
        ``cookies``, ``headers``: sent with every request.
        ``timeout``: an ``httpx.Timeout`` (30 s for each step by default; None waits for ever); a
            step that takes longer raises ``httpx.TimeoutException`` (after the retries, if any).
        ``max_retries``: more tries of a call that may be repeated (3; 0 for none), ``max_retry_delay``:
            the longest wait before one, in seconds (60). See retries.py.
        ``verify_ssl``: check the server's certificate (True), or with this CA bundle or SSL context.
        ``follow_redirects``: False by default.
        ``httpx_args``: anything else ``httpx.Client`` and ``httpx.AsyncClient`` take; its
            ``event_hooks`` run besides the SDK's own, and its ``transport`` is retried as the default one.
        ``raise_on_unexpected_status``: raise ``errors.UnexpectedStatus`` on a status the contract
            does not document, instead of returning it unparsed.
    """

    raise_on_unexpected_status: bool = field(default=False, kw_only=True)
    _base_url: str = field(alias="base_url")
    _cookies: dict[str, str] = field(factory=dict, kw_only=True, alias="cookies")
    _headers: dict[str, str] = field(factory=dict, kw_only=True, alias="headers")
    _timeout: httpx.Timeout | None = field(default=DEFAULT_TIMEOUT, kw_only=True, alias="timeout")
    _max_retries: int = field(default=3, kw_only=True, alias="max_retries")
    _max_retry_delay: float = field(default=60.0, kw_only=True, alias="max_retry_delay")
    _verify_ssl: str | bool | ssl.SSLContext = field(default=True, kw_only=True, alias="verify_ssl")
    _follow_redirects: bool = field(default=False, kw_only=True, alias="follow_redirects")
    _httpx_args: dict[str, Any] = field(factory=dict, kw_only=True, alias="httpx_args")
    _client: httpx.Client | None = field(default=None, init=False)
    _async_client: httpx.AsyncClient | None = field(default=None, init=False)

    def with_headers(self, headers: dict[str, str]) -> Self:
        """A client like this one, with these headers too (and connections of its own)."""
        return evolve(self, headers={**self._headers, **headers})

    def with_cookies(self, cookies: dict[str, str]) -> Self:
        """A client like this one, with these cookies too (and connections of its own)."""
        return evolve(self, cookies={**self._cookies, **cookies})

    def with_timeout(self, timeout: httpx.Timeout | None) -> Self:
        """A client like this one with another timeout, for a call or a few (and connections of its own)."""
        return evolve(self, timeout=timeout)

    def set_httpx_client(self, client: httpx.Client) -> Self:
        """Uses `client` for sync calls, as it is: this client's settings no longer apply to them."""
        self._client = client
        return self

    def get_httpx_client(self) -> httpx.Client:
        if self._client is None:
            options = self._options(inject_trace_context)
            sending = options.pop("transport", None) or httpx.HTTPTransport(verify=self._verify_ssl)
            self._client = httpx.Client(**options, transport=RetryingTransport(sending, self._retries()))
        return self._client

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Self:
        """Uses `async_client` for async calls, as it is: this client's settings no longer apply to them."""
        self._async_client = async_client
        return self

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        if self._async_client is None:
            options = self._options(inject_trace_context_async)
            sending = options.pop("transport", None) or httpx.AsyncHTTPTransport(verify=self._verify_ssl)
            self._async_client = httpx.AsyncClient(
                **options, transport=AsyncRetryingTransport(sending, self._retries())
            )
        return self._async_client

    def __enter__(self) -> Self:
        self.get_httpx_client().__enter__()
        return self

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        self.get_httpx_client().__exit__(*args, **kwargs)

    async def __aenter__(self) -> Self:
        await self.get_async_httpx_client().__aenter__()
        return self

    async def __aexit__(self, *args: Any, **kwargs: Any) -> None:
        await self.get_async_httpx_client().__aexit__(*args, **kwargs)

    def _headers_to_send(self) -> dict[str, str]:
        return self._headers

    def _retries(self) -> Retries:
        return Retries(max_retries=self._max_retries, max_retry_delay=self._max_retry_delay)

    def _options(self, trace_hook: Any) -> dict[str, Any]:
        extra = dict(self._httpx_args)
        hooks = dict(extra.pop("event_hooks", None) or {})
        hooks["request"] = [trace_hook, *hooks.get("request", ())]
        return {
            "base_url": self._base_url,
            "cookies": self._cookies,
            "headers": self._headers_to_send(),
            "timeout": self._timeout,
            "verify": self._verify_ssl,
            "follow_redirects": self._follow_redirects,
            "event_hooks": hooks,
            **extra,
        }


@define
class AuthenticatedClient(Client):
    """A client that sends `token` with every request (``Authorization: Bearer <token>``; `prefix`
    and `auth_header_name` change that), for every operation."""

    token: str
    prefix: str = "Bearer"
    auth_header_name: str = "Authorization"

    def _headers_to_send(self) -> dict[str, str]:
        credential = f"{self.prefix} {self.token}" if self.prefix else self.token
        return {**self._headers, self.auth_header_name: credential}
