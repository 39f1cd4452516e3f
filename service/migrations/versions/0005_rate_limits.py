"""rate limits, sign-in throttling, shared secrets, export leases

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("tat", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("rate_limit_pkey")),
    )
    op.create_index(op.f("rate_limit_tat_idx"), "rate_limit", ["tat"])
    op.create_table(
        "sign_in_failure",
        sa.Column("email_digest", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.Double(), nullable=False),
        sa.Column("locked_until", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("email_digest", name=op.f("sign_in_failure_pkey")),
    )
    op.create_index(op.f("sign_in_failure_last_failed_at_idx"), "sign_in_failure", ["last_failed_at"])
    op.create_table(
        "shared_secret",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("shared_secret_pkey")),
    )

    op.add_column("export", sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("export") as batch:
        batch.drop_column("lease_expires_at")
    op.drop_table("shared_secret")
    op.drop_index(op.f("sign_in_failure_last_failed_at_idx"), table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
    op.drop_index(op.f("rate_limit_tat_idx"), table_name="rate_limit")
    op.drop_table("rate_limit")
