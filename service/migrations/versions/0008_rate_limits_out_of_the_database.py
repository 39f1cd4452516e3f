"""rate limits out of the database

They are counted in memory, or in Redis when several processes share them (RATE_LIMIT_STORAGE).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(op.f("rate_limit_tat_idx"), table_name="rate_limit")
    op.drop_table("rate_limit")


def downgrade() -> None:
    op.create_table(
        "rate_limit",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("tat", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("rate_limit_pkey")),
    )
    op.create_index(op.f("rate_limit_tat_idx"), "rate_limit", ["tat"])
