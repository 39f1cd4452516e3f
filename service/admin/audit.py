"""The audit log's entries: one per operator's action, written in the action's transaction."""

import json
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.tables import AuditEntry, Operator

# Who acted, for what `make operator` does: someone with the deployment's database at hand.
COMMAND_LINE = "the command line"


def audit(
    session: AsyncSession, operator: Operator | None, action: str, target: tuple[str, int], before: Any, after: Any
) -> None:
    """`operator` None: the command line acted."""
    object_type, object_id = target
    session.add(
        AuditEntry(
            operator_id=None if operator is None else operator.id,
            operator_email=COMMAND_LINE if operator is None else operator.email,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=None if before is None else json.dumps(before, default=_json),
            after=None if after is None else json.dumps(after, default=_json),
        )
    )


def _json(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
