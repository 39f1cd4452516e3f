"""stream tickets: single-use credentials for a browser's EventSource

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "stream_ticket",
        sa.Column("ticket_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", Id, nullable=False),
        sa.Column("project_id", Id, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"], ["access_token.id"], name=op.f("stream_ticket_token_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("stream_ticket_project_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ticket_hash", name=op.f("stream_ticket_pkey")),
    )


def downgrade() -> None:
    op.drop_table("stream_ticket")
