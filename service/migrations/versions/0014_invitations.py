"""invitations: users join projects by accepting an owner's invitation, and follow their invitations' events

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)
PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", Id, nullable=False),
        sa.Column("project_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("invited_by", Id, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("answered_at", Timestamp, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'revoked')", name=op.f("invitation_status_check")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("invitation_project_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("invitation_user_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"], ["user_account.id"], name=op.f("invitation_invited_by_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("invitation_pkey")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "invitation_pending_project_id_user_id_idx",
        "invitation",
        ["project_id", "user_id"],
        unique=True,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
    op.create_index(op.f("invitation_user_id_status_id_idx"), "invitation", ["user_id", "status", "id"])
    op.create_index(op.f("invitation_project_id_status_id_idx"), "invitation", ["project_id", "status", "id"])
    op.create_index(op.f("invitation_invited_by_idx"), "invitation", ["invited_by"])
    op.add_column("project_event", sa.Column("invitee_id", Id, nullable=True))
    op.create_index(op.f("project_event_invitee_id_id_idx"), "project_event", ["invitee_id", "id"])


def downgrade() -> None:
    op.drop_index(op.f("project_event_invitee_id_id_idx"), table_name="project_event")
    op.drop_column("project_event", "invitee_id")
    op.drop_table("invitation")
