"""Request checks shared by the generated routers."""

import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from email.message import Message
from typing import Any, NoReturn, Protocol, TypeVar
from urllib.parse import quote

import anyio
from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent, format_sse_event
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

M = TypeVar("M", bound=BaseModel)


class RequestContext(Protocol):
    """What the app gives every router: `context(security=…, limited=…, query=…)` makes the one
    dependency of a route, which yields what its handlers are made from (the app's own type)."""

    def __call__(self, *, security: tuple[str, ...], limited: bool, query: tuple[str, ...]) -> Callable[..., Any]: ...


async def parse_body(request: Request, model: type[M]) -> M:
    """Validates the body as JSON against the contract's schema as strictly as JSON Schema does:
    `"5"` is no integer and `0` no date, but `5.0` is an integer; members go by their names in the
    contract only (`assigneeId`, never the Python `assignee_id`). A body that is not JSON at all,
    or names a member twice in one object, fails with a `json_invalid` error."""
    raw = await request.body()
    _require_json(request, raw)
    _refuse_duplicate_names(raw)
    try:
        try:
            return model.model_validate_json(raw, strict=True, by_alias=True, by_name=False)
        except ValidationError as error:
            if not any(_integral_float(e) for e in error.errors()):
                raise
            normalised = json.dumps(json.loads(raw, parse_float=_number))
            return model.model_validate_json(normalised, strict=True, by_alias=True, by_name=False)
    except ValidationError as error:
        try:
            sent = json.loads(raw)
        except (ValueError, RecursionError):
            sent = None
        errors: dict[tuple[Any, str], Any] = {}
        for e in error.errors(include_url=False):
            loc = ("body", *_as_sent(sent, e["loc"]))
            errors.setdefault((loc, e["type"]), {**e, "loc": loc})
        raise RequestValidationError(list(errors.values())) from None


def _as_sent(sent: Any, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """An error's place in the body as sent: without the names Pydantic gives the variants of a
    union (`/move/toStatus` is `/toStatus` in a body that chose the `move` variant). A name that is
    no member of the object at that place is such a label, unless it is the last (a member missing)."""
    kept: list[int | str] = []
    for at, part in enumerate(loc):
        if isinstance(sent, dict) and part not in sent and at < len(loc) - 1:
            continue
        kept.append(part)
        if isinstance(sent, dict):
            sent = sent.get(part)
        elif isinstance(sent, list) and isinstance(part, int) and part < len(sent):
            sent = sent[part]
        else:
            sent = None
    return tuple(kept)


class _NamedTwice(ValueError):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise _NamedTwice(f"the member {json.dumps(twice)} appears twice in one object")
    return dict(pairs)


def _refuse_duplicate_names(raw: bytes) -> None:
    """A member named twice in one object is refused (`json_invalid`): Pydantic would take the last,
    and a proxy or gateway in front that takes the first would have checked another request."""
    try:
        json.loads(raw, object_pairs_hook=_unique)
    except _NamedTwice as error:
        invalid = {"type": "json_invalid", "loc": ("body",), "ctx": {"error": str(error)}}
        raise RequestValidationError([invalid]) from None
    except (ValueError, RecursionError):
        pass  # not JSON, or nested too deep: Pydantic says so


def _integral_float(error: Any) -> bool:
    value = error.get("input")
    return error["type"] == "int_type" and isinstance(value, float) and value.is_integer()


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _require_json(request: Request, raw: bytes) -> None:
    """Refuses a body that is not JSON with 415, before it is validated."""
    if not raw:
        return
    message = _content_type(request)
    subtype = message.get_content_subtype()
    if message.get_content_maintype() != "application" or not (subtype == "json" or subtype.endswith("+json")):
        raise HTTPException(415, "The request body must be application/json.")


def _content_type(request: Request) -> Message:
    message = Message()
    message["content-type"] = request.headers.get("content-type", "")
    return message


@dataclass(frozen=True, slots=True)
class Upload:
    """A file part of a multipart/form-data body, as the client sent it: in memory up to 1 MiB,
    spooled to a temporary file past that (Starlette's UploadFile), closed after the response.
    Its size is bounded by the body's (MAX_BODY_BYTES); `filename` and `media_type` are the
    client's word."""

    filename: str | None
    media_type: str | None
    size: int
    file: UploadFile

    async def chunks(self, size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """The file's bytes from its start, `size` at a time."""
        await self.file.seek(0)
        while chunk := await self.file.read(size):
            yield chunk


async def parse_form(request: Request, model: type[M]) -> M:
    """Validates a multipart/form-data body against the contract's schema of its parts (the
    generated form class): files as Uploads, fields read from their text as query parameters are
    (`"5"` is an integer); a part the schema does not name, or named twice, is refused (422), and
    a body that is no form (415) or a malformed one (400) before any part is read."""
    if _content_type(request).get_content_type() != "multipart/form-data":
        raise HTTPException(415, "The request body must be multipart/form-data.")
    files = sum(1 for field in model.model_fields.values() if field.annotation in (Upload, Upload | None))
    form = await request.form(max_files=files, max_fields=len(model.model_fields) - files)
    # Closed with the request's other resources once the response is sent, as FastAPI closes its own forms.
    if isinstance(stack := request.scope.get("fastapi_middleware_astack"), AsyncExitStack):
        stack.push_async_callback(form.close)
    values: dict[str, Any] = {}
    for name, value in form.multi_items():
        if name in values:
            twice = {"type": "part_twice", "loc": ("body", name), "msg": "The part appears twice in the form"}
            raise RequestValidationError([twice])
        values[name] = value
        if isinstance(value, UploadFile):
            values[name] = Upload(value.filename, value.content_type, value.size or 0, value)
    try:
        return model.model_validate(values, by_alias=True, by_name=False)
    except ValidationError as error:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        raise RequestValidationError(errors) from None


def precondition_required(header: str) -> NoReturn:
    """428 for an update sent without the precondition that makes it safe (RFC 6585)."""
    raise HTTPException(428, f"This update needs an {header} header with the resource's current ETag.")


def rfc3339_date(value: object) -> object:
    """Lets only a `full-date` (YYYY-MM-DD) through to be parsed as a date."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("Input should be a date in YYYY-MM-DD form")
    return value


def rfc3339_date_time(value: object) -> object:
    """Lets only an RFC 3339 `date-time`, with its offset, through to be parsed."""
    pattern = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
    if isinstance(value, str) and not re.fullmatch(pattern, value):
        raise ValueError("Input should be an RFC 3339 date-time with an offset")
    return value


EventStream = AsyncIterator[ServerSentEvent]


def event_stream(events: EventStream) -> EventSourceResponse:
    """FastAPI's framing of each event; `raw_data` goes out as it is (the handlers' data is JSON already).

    Not a generator path operation: FastAPI's keep-alive comes with those, every 15 seconds, and
    costs each stream two more tasks; the handlers send their own while they wait for events."""

    async def frames() -> AsyncIterator[bytes]:
        async for event in events:
            yield format_sse_event(data_str=event.raw_data, event=event.event, id=event.id, comment=event.comment)

    return EventSourceResponse(frames(), headers={"Cache-Control": "no-store"})


@dataclass(frozen=True, slots=True)
class Download:
    """A file to send as it is on disk, streamed in chunks, as an attachment named `filename`.

    Already open: once a handler has it, deleting the file cannot cut the answer short.
    """

    file: anyio.AsyncFile[bytes]
    media_type: str
    filename: str


def file_response(download: Download) -> StreamingResponse:
    """The whole file, in chunks read off the event loop; the file is closed at the end.

    Not Starlette's FileResponse: it also answers Range requests (206, and 416 in text/plain),
    which the contract does not offer.
    """

    async def chunks() -> AsyncIterator[bytes]:
        async with download.file:
            while chunk := await download.file.read(64 * 1024):
                yield chunk

    headers = {"Content-Disposition": content_disposition(download.filename)}
    return StreamingResponse(chunks(), media_type=download.media_type, headers=headers)


def content_disposition(filename: str) -> str:
    """An attachment named `filename` (RFC 6266): in quotes as printable ASCII, every other character
    (and `"`, `\\`) an underscore there, and then exactly, UTF-8 in `filename*` (RFC 8187)."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    value = f'attachment; filename="{fallback}"'
    if fallback != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


@dataclass(frozen=True, slots=True)
class Replayed:
    """A response remembered under an Idempotency-Key, to send again as it was first sent: its JSON
    body byte for byte (whatever the models have become since) and its headers by the result's
    field names (`location`, `etag`)."""

    body: bytes
    headers: dict[str, str]

    def response(self, status_code: int, names: dict[str, str]) -> Response:
        """The answer, its headers named as the operation documents them (`{"etag": "ETag"}`)."""
        headers = {names[field]: value for field, value in self.headers.items() if field in names}
        return Response(self.body, status_code, headers, media_type="application/json")


def joined(lines: list[str] | None) -> str | None:
    """A list header's field lines as one value (RFC 9110 5.3)."""
    return ", ".join(lines) if lines else None


_ENTITY_TAG = re.compile(r'\s*(W/)?"[\x21\x23-\x7e\x80-\xff]*"\s*')


def entity_tags(value: str) -> list[str] | None:
    """The entity tags of an If-Match or If-None-Match value (RFC 9110 8.8.3, 13.1): `["*"]` for
    `*`; None when the value is no list of entity tags, which then matches nothing. Empty list
    elements are allowed, as RFC 9110 5.6.1 says; a comma inside a tag's quotes is part of it."""
    if value.strip() == "*":
        return ["*"]
    tags, at = [], 0
    while at < len(value):
        if value[at] in ", \t":
            at += 1
            continue
        found = _ENTITY_TAG.match(value, at)
        if found is None:
            return None
        tags.append(found.group().strip())
        at = found.end()
        if at < len(value) and value[at] != ",":
            return None
    return tags


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 13.1.2) of a list of tags, or `*`, with `etag`."""
    tags = entity_tags(if_none_match) or []
    wanted = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == wanted for tag in tags)
