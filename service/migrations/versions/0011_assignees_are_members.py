"""a task's assignee is a member of its project, by a foreign key to the membership

Revision ID: 0011
Revises: 0010
"""

import warnings
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "task_project_id_assignee_id_fkey"
# The expression indexes of due dates (0002), tasks without one last in either order.
DUE_LAST = (("task_project_id_due_last_asc_idx", "9999-12-31"), ("task_project_id_due_last_desc_idx", "0001-01-01"))


def upgrade() -> None:
    # What a race between an assignment and a removal left before this key held: the task unassigned,
    # as the removal would have done it.
    op.execute(
        sa.text(
            "UPDATE task SET assignee_id = NULL, version = version + 1 "
            "WHERE assignee_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM membership "
            "WHERE membership.project_id = task.project_id AND membership.user_id = task.assignee_id)"
        )
    )
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key(NAME, "task", "membership", ["project_id", "assignee_id"], ["project_id", "user_id"])
        return
    # SQLite adds a constraint by copying the table. The copy is made without reflecting its expression
    # indexes (SQLAlchemy cannot), which are made again after it, and keeps AUTOINCREMENT.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        with op.batch_alter_table("task", recreate="always", table_kwargs={"sqlite_autoincrement": True}) as table:
            table.create_foreign_key(NAME, "membership", ["project_id", "assignee_id"], ["project_id", "user_id"])
    for name, default in DUE_LAST:
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.create_index(name, "task", ["project_id", sa.text(f"coalesce(due_date, '{default}')"), "id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(NAME, "task", type_="foreignkey")
    # SQLite keeps it: dropping it would copy the table again, for a key that only refuses what the
    # service never writes.
