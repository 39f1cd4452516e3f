"""The readiness probe's statements: the database answers, and at which migration it stands."""

from sqlalchemy import text

PING = text("SELECT 1")
SCHEMA_VERSION = text("SELECT version_num FROM alembic_version")
