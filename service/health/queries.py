"""The readiness probe's statement: the database answers (its schema: service/migrations/compatibility.py)."""

from sqlalchemy import text

PING = text("SELECT 1")
