"""projects, members, tasks and idempotency records

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "project",
        sa.Column("id", Id, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("owner_id", Id, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], name=op.f("project_owner_id_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("project_pkey")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "membership",
        sa.Column("project_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("added_at", Timestamp, nullable=False),
        sa.CheckConstraint("role IN ('owner', 'member')", name=op.f("membership_role_check")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("membership_project_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("membership_user_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id", name=op.f("membership_pkey")),
    )
    op.create_index(op.f("membership_user_id_project_id_idx"), "membership", ["user_id", "project_id"])
    op.create_table(
        "task",
        sa.Column("id", Id, nullable=False),
        sa.Column("project_id", Id, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", Id, nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.CheckConstraint("status IN ('todo', 'in_progress', 'done')", name=op.f("task_status_check")),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user_account.id"], name=op.f("task_assignee_id_fkey"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("task_project_id_fkey"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("task_pkey")),
        sqlite_autoincrement=True,
    )
    op.create_index("task_project_id_created_at_idx", "task", ["project_id", "created_at", "id"])
    op.create_index(
        "task_project_id_due_last_asc_idx",
        "task",
        ["project_id", sa.text("coalesce(due_date, '9999-12-31')"), "id"],
    )
    op.create_index(
        "task_project_id_due_last_desc_idx",
        "task",
        ["project_id", sa.text("coalesce(due_date, '0001-01-01')"), "id"],
    )
    op.create_index("task_project_id_assignee_id_idx", "task", ["project_id", "assignee_id"])
    op.create_table(
        "idempotency_record",
        sa.Column("id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("response_headers", sa.Text(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("idempotency_record_user_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("idempotency_record_pkey")),
        sa.UniqueConstraint("user_id", "key", name=op.f("idempotency_record_user_id_key_key")),
    )


def downgrade() -> None:
    op.drop_table("idempotency_record")
    op.drop_table("task")
    op.drop_index(op.f("membership_user_id_project_id_idx"), table_name="membership")
    op.drop_table("membership")
    op.drop_table("project")
