"""descriptions without control characters; no CSV export made before formulas were neutralised

The contract now refuses control and bidirectional-override characters in descriptions (but line
feeds and tabs), as it always did in names and titles. Descriptions stored before then have each
such character replaced by U+FFFD, so that every stored one reads back as the contract says, and
so do the responses kept for Idempotency-Key replays; what changes gets a new version (ETag).

CSV exports made before now may hold cells that a spreadsheet runs as formulas: they are deleted
(404 from now on), and the periodic clean-up deletes their files, which no export owns any more.

Revision ID: 0006
Revises: 0005
"""

import json
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
BATCH = 1000


def _clean(value: Any) -> Any:
    return REFUSED.sub("\ufffd", value) if isinstance(value, str) else value


def _rewrite(table: str, column: str, fix: Any, versioned: bool = True) -> None:
    """Rewrites `column` where `fix` changes it, reading the table in batches by id."""
    connection = op.get_bind()
    read = sa.text(f"SELECT id, {column} FROM {table} WHERE id > :after AND {column} IS NOT NULL ORDER BY id LIMIT :n")
    bump = ", version = version + 1" if versioned else ""
    write = sa.text(f"UPDATE {table} SET {column} = :value{bump} WHERE id = :id")
    after = 0
    while True:
        rows = connection.execute(read, {"after": after, "n": BATCH}).all()
        for row_id, value in rows:
            if (fixed := fix(value)) != value:
                connection.execute(write, {"value": fixed, "id": row_id})
        if len(rows) < BATCH:
            return
        after = rows[-1][0]


def _clean_response(body: str) -> str:
    document = json.loads(body)
    if isinstance(document, dict) and REFUSED.search(str(document.get("description") or "")):
        document["description"] = _clean(document["description"])
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return body


def upgrade() -> None:
    _rewrite("task", "description", _clean)
    _rewrite("project", "description", _clean)
    _rewrite("idempotency_record", "response_body", _clean_response, versioned=False)
    op.execute("DELETE FROM export WHERE format = 'csv'")


def downgrade() -> None:
    pass  # the characters replaced are not kept
