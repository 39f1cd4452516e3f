"""password failures keyed by email and address, by email, and by token; trusted addresses

Replaces sign_in_failure, which was keyed by email alone. What it counted is a few minutes' worth
of throttling, and is not carried over.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(op.f("sign_in_failure_last_failed_at_idx"), table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
    op.create_table(
        "password_failure",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.Double(), nullable=False),
        sa.Column("locked_until", sa.Double(), nullable=True),
        sa.Column("trusted_until", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("password_failure_pkey")),
    )
    op.create_index(op.f("password_failure_last_failed_at_idx"), "password_failure", ["last_failed_at"])


def downgrade() -> None:
    op.drop_index(op.f("password_failure_last_failed_at_idx"), table_name="password_failure")
    op.drop_table("password_failure")
    op.create_table(
        "sign_in_failure",
        sa.Column("email_digest", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.Double(), nullable=False),
        sa.Column("locked_until", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("email_digest", name=op.f("sign_in_failure_pkey")),
    )
    op.create_index(op.f("sign_in_failure_last_failed_at_idx"), "sign_in_failure", ["last_failed_at"])
