"""Keyset pagination with opaque, signed cursors."""

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Date, Select, and_, literal, or_
from sqlalchemy.orm import QueryableAttribute

from service.kit.columns import UtcDateTime
from service.kit.problems import BadRequest

SortKey = ColumnElement[Any] | QueryableAttribute[Any]
Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])
INVALID = "The cursor is not valid for this list, these filters and this sort."


class Cursors:
    """Encodes a page's last sort key so that only this server can have made it, for one list.

    `scope` names the list with its filters and sort; a cursor decodes only under the same scope.
    The first of `secrets` signs; any of them verifies (a key being rotated out).
    """

    def __init__(self, *secrets: str) -> None:
        self._secrets = [secret.encode() for secret in secrets]

    def encode(self, scope: str, values: Sequence[Any]) -> str:
        payload = json.dumps([_jsonable(v) for v in values], separators=(",", ":")).encode()
        signature = self._sign(self._secrets[0], scope, payload)
        return base64.urlsafe_b64encode(signature + payload).rstrip(b"=").decode()

    def decode(self, scope: str, cursor: str) -> list[Any]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise BadRequest(INVALID) from None
        signature, payload = raw[:16], raw[16:]
        if not any(hmac.compare_digest(signature, self._sign(secret, scope, payload)) for secret in self._secrets):
            raise BadRequest(INVALID)
        values: list[Any] = json.loads(payload)
        return values

    @staticmethod
    def _sign(secret: bytes, scope: str, payload: bytes) -> bytes:
        return hmac.new(secret, scope.encode() + b"\0" + payload, hashlib.sha256).digest()[:16]


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def after(query: Query, keys: Sequence[SortKey], values: Sequence[Any], *, descending: bool) -> Query:
    """Rows strictly after the cursor's key in the order of `keys`, all ascending or all descending.

    Spelt out rather than as a row-value comparison, with a bound on the first key alone, so
    that SQLite can seek an expression index (the due-date orders) instead of scanning to it.
    """
    bound = [literal(_from_json(value, key), key.type) for key, value in zip(keys, values, strict=True)]
    beyond = [key < value if descending else key > value for key, value in zip(keys, bound, strict=True)]
    ties = [key == value for key, value in zip(keys, bound, strict=True)]
    first = keys[0] <= bound[0] if descending else keys[0] >= bound[0]
    return query.where(first, or_(*(and_(*ties[:i], beyond[i]) for i in range(len(keys)))))


def ordered(query: Query, keys: Sequence[SortKey], *, descending: bool) -> Query:
    return query.order_by(*(key.desc() if descending else key.asc() for key in keys))


def _from_json(value: Any, key: SortKey) -> Any:
    if isinstance(key.type, UtcDateTime):
        return datetime.fromisoformat(value)
    if isinstance(key.type, Date):
        return date.fromisoformat(value)
    return value


Row = TypeVar("Row")


class HasId(Protocol):
    @property
    def id(self) -> int: ...


def by_id(row: HasId) -> list[int]:
    """The cursor values of a list ordered by id alone."""
    return [row.id]


class Pager:
    """One list's keyset pagination: the ordered query for a page, and the page with its cursor."""

    def __init__(self, cursors: Cursors, scope: str, keys: Sequence[SortKey], *, descending: bool = False) -> None:
        self.cursors, self.scope, self.keys, self.descending = cursors, scope, keys, descending

    def query(self, query: Query, cursor: str | None, limit: int) -> Query:
        """`query` in order, after `cursor`, with one row more than the page to tell if another follows."""
        if cursor is not None:
            query = after(query, self.keys, self.cursors.decode(self.scope, cursor), descending=self.descending)
        return ordered(query, self.keys, descending=self.descending).limit(limit + 1)

    def page(
        self, rows: Sequence[Row], limit: int, key: Callable[[Row], Sequence[Any]]
    ) -> tuple[list[Row], str | None]:
        """The page's rows and the cursor after its last one; `key` gives a row's values of `keys`."""
        if len(rows) <= limit:
            return list(rows), None
        return list(rows[:limit]), self.cursors.encode(self.scope, key(rows[limit - 1]))
