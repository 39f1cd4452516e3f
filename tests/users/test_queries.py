import pytest
from fastapi import FastAPI

from service.kit.problems import Conflict
from service.users import queries as users


async def test_a_unique_violation_at_insert_is_a_conflict(app: FastAPI) -> None:
    """The path a sign-up race takes when the other transaction commits between check and insert."""
    async with app.state.database.writer() as session, session.begin():
        await users.create(session, email="Ada@example.com", display_name="Ada", password_hash="x")
        with pytest.raises(Conflict, match="already exists"):
            await users.create(session, email="ada@EXAMPLE.com", display_name="Ada 2", password_hash="x")
