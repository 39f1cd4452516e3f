import json
from typing import Annotated, Any, Literal
from urllib.parse import unquote

import pytest
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, RootModel

from generated.runtime import content_disposition, entity_tags, etag_matches, parse_body

# The contract and the code made from it, no database: once.
pytestmark = pytest.mark.once


@pytest.mark.parametrize(
    ("value", "tags"),
    [
        ('"1"', ['"1"']),
        ('"1", "2"', ['"1"', '"2"']),
        ('"1","2" , W/"3"', ['"1"', '"2"', 'W/"3"']),
        ('"a,b", "c"', ['"a,b"', '"c"']),
        (', "1",,', ['"1"']),
        ("*", ["*"]),
        (" * ", ["*"]),
        ('"1" "2"', None),
        ("1", None),
        ('"1', None),
        ('"1", *', None),
        ("", []),
    ],
)
def test_entity_tags_parse_as_rfc_9110_lists(value: str, tags: list[str] | None) -> None:
    assert entity_tags(value) == tags


def test_if_none_match_compares_weakly_in_a_list() -> None:
    assert etag_matches('"9", W/"2"', '"2"')
    assert etag_matches("*", '"2"')
    assert not etag_matches('"9", "22"', '"2"')
    assert not etag_matches("garbage", '"2"')


@pytest.mark.parametrize(
    ("filename", "fallback"),
    [
        ("tasks.csv", "tasks.csv"),
        ('notes "final".txt', "notes _final_.txt"),
        ("报告.pdf", "__.pdf"),
        ("a\\b\r\nSet-Cookie: x.txt", "a_b__Set-Cookie: x.txt"),
    ],
)
def test_a_download_is_named_exactly_and_safely(filename: str, fallback: str) -> None:
    value = content_disposition(filename)
    value.encode("ascii")  # a header value any HTTP stack sends as it is
    assert value.startswith(f'attachment; filename="{fallback}"')
    # Where the quoted name is not the name, filename* (RFC 8187) says it exactly.
    exact = value.partition("; filename*=UTF-8''")[2]
    assert unquote(exact, errors="strict") == (filename if fallback != filename else "")


class _Move(BaseModel):
    model_config = ConfigDict(extra="forbid")
    op: Literal["move"]
    to_status: Annotated[Literal["todo", "done"], Field(alias="toStatus")]


class _Delete(BaseModel):
    model_config = ConfigDict(extra="forbid")
    op: Literal["delete"]


class _Bulk(BaseModel):
    items: list[RootModel[Annotated[_Move | _Delete, Field(discriminator="op")]]]


def _request(body: Any) -> Request:
    raw = json.dumps(body).encode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": raw, "more_body": False}

    return Request({"type": "http", "method": "POST", "headers": [(b"content-type", b"application/json")]}, receive)


@pytest.mark.parametrize(
    ("body", "pointers"),
    [
        ({"items": [{"op": "move", "toStatus": "later"}]}, [("body", "items", 0, "toStatus")]),
        ({"items": [{"op": "delete"}, {"op": "move"}]}, [("body", "items", 1, "toStatus")]),
        ({"items": [{"op": "move", "toStatus": "done", "x": 1}]}, [("body", "items", 0, "x")]),
    ],
)
async def test_an_error_in_a_union_points_into_the_body_as_sent(body: Any, pointers: list[tuple[Any, ...]]) -> None:
    with pytest.raises(RequestValidationError) as error:
        await parse_body(_request(body), _Bulk)
    assert [tuple(e["loc"]) for e in error.value.errors()] == pointers
