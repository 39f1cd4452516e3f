"""schema compatibility: the oldest code that serves the schema, so that a deploy's migration leaves
the running processes of the release before ready (expand), until a contract step says otherwise

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# Whether the code of the revision before serves the schema this makes (service/migrations/README.md).
expands: bool = True


def upgrade() -> None:
    op.create_table(
        "schema_compatibility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("oldest_code", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("schema_compatibility_pkey")),
    )


def downgrade() -> None:
    op.drop_table("schema_compatibility")
