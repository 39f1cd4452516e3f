"""The readiness probe's statements: the database answers, and at which migration it stands."""

from sqlalchemy import text

PING = text("SELECT 1")
SCHEMA_VERSION = text("SELECT version_num FROM alembic_version")
# The oldest revision whose code serves the schema (service/migrations/README.md).
OLDEST_CODE = text("SELECT oldest_code FROM schema_compatibility")
