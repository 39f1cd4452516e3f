"""project event log

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "project_event",
        sa.Column("id", Id, nullable=False),
        sa.Column("project_id", Id, nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("project_event_pkey")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("project_event_project_id_id_idx"), "project_event", ["project_id", "id"])
    op.create_index(op.f("project_event_created_at_idx"), "project_event", ["created_at"])
    op.create_table(
        "event_horizon",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purged_through", Id, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("event_horizon_pkey")),
    )
    op.execute("INSERT INTO event_horizon (id, purged_through) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("event_horizon")
    op.drop_index(op.f("project_event_created_at_idx"), table_name="project_event")
    op.drop_index(op.f("project_event_project_id_id_idx"), table_name="project_event")
    op.drop_table("project_event")
