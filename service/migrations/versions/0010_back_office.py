"""back office: operators, their audit log, and locked accounts

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("user_account") as table:
        table.add_column(sa.Column("locked_at", Timestamp, nullable=True))
    op.create_table(
        "operator",
        sa.Column("id", Id, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.CheckConstraint("role IN ('support', 'admin')", name=op.f("operator_role_check")),
        sa.PrimaryKeyConstraint("id", name=op.f("operator_pkey")),
        sa.UniqueConstraint("email", name=op.f("operator_email_key")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", Id, nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("operator_id", Id, nullable=True),
        sa.Column("operator_email", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", Id, nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("audit_entry_operator_id_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("audit_entry_pkey")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("audit_entry_object_type_object_id_idx"), "audit_entry", ["object_type", "object_id"])
    op.create_index(op.f("audit_entry_at_idx"), "audit_entry", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("audit_entry_at_idx"), table_name="audit_entry")
    op.drop_index(op.f("audit_entry_object_type_object_id_idx"), table_name="audit_entry")
    op.drop_table("audit_entry")
    op.drop_table("operator")
    with op.batch_alter_table("user_account") as table:
        table.drop_column("locked_at")
