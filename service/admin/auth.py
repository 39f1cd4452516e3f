"""Operators' sign-in, their sessions, and the guards on every form of the back office.

A session is a signed cookie (Starlette's sessions): HttpOnly, SameSite=Strict, Secure when the
request came over TLS, valid for ADMIN_SESSION. It holds the operator's id and a CSRF token; the
operator is read again at every request, so that one removed or given another role counts at
once. A request that is not a read must come from a page of the back office's own origin
(Origin or Referer, and Sec-Fetch-Site where the browser sends it), and a form must carry the
session's CSRF token: the two defences OWASP lists first.
"""

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

import itsdangerous
from sqladmin.authentication import AuthenticationBackend
from starlette.datastructures import FormData, Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.admin import operators
from service.kit.bodies import BodyLimit
from service.kit.database import Database
from service.kit.headers import SecurityHeaders
from service.kit.passwords import PasswordWork
from service.kit.problems import ServiceUnavailable
from service.kit.ratelimits import TooManyRequests
from service.settings import Settings
from service.tables import Operator
from service.tokens import throttle

SESSION_COOKIE = "taskboard_admin"
READS = frozenset({"GET", "HEAD", "OPTIONS"})
UNFRAMED = ((b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'"))


# The host names of a back office that only this machine reaches.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class NoSecretKey(Exception):
    """A back office reachable from elsewhere needs SECRET_KEY: each process would sign with a key of
    its own, and a restart sign every operator out."""


def session_keys(settings: Settings) -> list[str]:
    """Sign the sessions, the first signing and each verifying: drawn from SECRET_KEY's keys, so that
    sessions outlive a restart and a rotation; else, on this machine only, one made at each start."""
    if not settings.secret_key:
        if not set(settings.admin_hosts) <= LOCAL_HOSTS:
            raise NoSecretKey(
                "SECRET_KEY is not set: the back office serves only 127.0.0.1 and localhost without it"
                " (ADMIN_HOSTS names other hosts). Set SECRET_KEY, shared by every back-office process."
            )
        return [secrets.token_urlsafe(32)]
    return [
        hmac.new(key.get_secret_value().encode(), b"taskboard back office sessions", hashlib.sha256).hexdigest()
        for key in settings.secret_key
    ]


class Sessions:
    """Starlette's signed-cookie sessions, marked Secure for a request that came over TLS."""

    def __init__(self, app: ASGIApp, secret_keys: list[str], max_age: int) -> None:
        common: dict[str, Any] = {"session_cookie": SESSION_COOKIE, "max_age": max_age, "same_site": "strict"}
        self.plain = SessionMiddleware(app, secret_keys[0], **common)
        self.tls = SessionMiddleware(app, secret_keys[0], https_only=True, **common)
        # Starlette's signer takes one key; itsdangerous's signs with the last of several and verifies
        # with each: the keys being rotated out still open the sessions they signed.
        for middleware in (self.plain, self.tls):
            middleware.signer = itsdangerous.TimestampSigner(list(reversed(secret_keys)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await (self.tls if scope.get("scheme") in ("https", "wss") else self.plain)(scope, receive, send)


class SameOrigin:
    """Refuses (403) a request that is not a read unless a page of this origin sent it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in READS and not same_origin(scope):
            await PlainTextResponse("A form of another site was refused.", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def same_origin(scope: Scope) -> bool:
    headers = Headers(scope=scope)
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    sender = urlsplit(headers.get("origin") or headers.get("referer") or "")
    return f"{sender.scheme}://{sender.netloc}" == f"{scope['scheme']}://{headers.get('host', '')}"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, for a form to carry (made with the session)."""
    token: str | None = request.session.get("csrf")
    if token is None:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


# A back office form: a CSRF token and a few short fields (an email, a password, a search).
FORM_BYTES = 64 * 1024


async def read_form(request: Request) -> FormData:
    """The request's form, within a form's bounds: no files, few fields."""
    return await request.form(max_files=0, max_fields=16, max_part_size=FORM_BYTES)


def check_csrf(request: Request, form: FormData) -> None:
    expected, given = request.session.get("csrf"), form.get("csrf_token")
    if not isinstance(expected, str) or not isinstance(given, str) or not hmac.compare_digest(expected, given):
        raise HTTPException(403, "This form is stale or was not sent from the back office: load the page again.")


def operator_of(request: Request) -> Operator:
    """The signed-in operator (authenticated before any view runs)."""
    operator: Operator = request.state.operator
    return operator


class OperatorSignIn(AuthenticationBackend):
    """Operators' sign-in, throttled as the API's is (service/tokens/throttle.py), with records of its
    own: per email and client address, and a looser ceiling per email that spares the addresses the
    operator signed in from. An attacker's guesses lock out the attacker's address, not the operator,
    nor the other operators who sign in from that address."""

    def __init__(self, database: Database, passwords: PasswordWork, secret_keys: list[str], settings: Settings) -> None:
        super().__init__(secret_keys[0])
        self.middlewares = [
            # The API's bounds on a request's body (size and time): a form is a few fields.
            Middleware(BodyLimit, limit=FORM_BYTES, timeout=settings.request_body_timeout_seconds),
            # Every answer: the service's headers (no sniffing, no caching of the pages' personal
            # data), and no page in a frame (clickjacking).
            Middleware(SecurityHeaders, extra=UNFRAMED),
            # A page of another site whose name was made to point here (DNS rebinding) is refused.
            Middleware(TrustedHostMiddleware, allowed_hosts=settings.admin_hosts),
            Middleware(Sessions, secret_keys=secret_keys, max_age=int(settings.admin_session.total_seconds())),
            Middleware(SameOrigin),
        ]
        self.database, self.passwords, self.settings = database, passwords, settings

    async def login(self, request: Request) -> bool | Response:
        form = await read_form(request)
        check_csrf(request, form)
        email, password = form.get("email"), form.get("password")
        if not isinstance(email, str) or not isinstance(password, str):
            return False
        guess = await throttle.sign_in(self.database, email.strip(), request, realm="operator\0")
        try:
            await throttle.attempt(self.database, guess, self.settings)
        except TooManyRequests as held:
            wait = held.headers["Retry-After"]
            message = f"Too many failed sign-ins: try again in {wait} s."
            return PlainTextResponse(message, status_code=429, headers={"Retry-After": wait})
        async with self.database.reader() as session, session.begin():
            operator = await operators.find(session, email)
        try:
            async with self.passwords.admitted():
                valid = await self.passwords.verify(operator.password_hash if operator else None, password)
        except ServiceUnavailable as busy:
            raise HTTPException(503, str(busy.detail)) from None
        if operator is None or not valid or operator.disabled_at is not None:
            return False
        async with self.database.short_write() as session:
            await throttle.succeeded(session, guess, self.settings)
        # A new session at sign-in: one planted before it is worth nothing after.
        request.session.clear()
        generation = operator.session_generation
        request.session.update(operator=operator.id, generation=generation, csrf=secrets.token_urlsafe(32))
        return True

    async def logout(self, request: Request) -> bool:
        """Ends every session of the operator, this one and any copy of its cookie."""
        operator_id = request.session.get("operator")
        request.session.clear()
        if isinstance(operator_id, int):
            await operators.sign_out(self.database, operator_id)
        return True

    async def authenticate(self, request: Request) -> bool:
        operator_id, generation = request.session.get("operator"), request.session.get("generation")
        if not isinstance(operator_id, int) or not isinstance(generation, int):
            return False
        async with self.database.reader() as session, session.begin():
            operator = await session.get(Operator, operator_id)
        if operator is None or operator.session_generation != generation or operator.disabled_at is not None:
            request.session.clear()
            return False
        request.state.operator = operator
        return True

    async def get_user_id(self, request: Request) -> int | None:
        operator: Operator | None = getattr(request.state, "operator", None)
        return None if operator is None else operator.id
