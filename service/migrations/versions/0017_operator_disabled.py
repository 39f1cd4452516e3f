"""operators an admin disabled: they cannot sign in to the back office until enabled again

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The release before reads no new column; while it still serves, a disabled operator's sessions end
# there too (disabling moves the session generation on), but a new sign-in through it is let in.
expands: bool = True


def upgrade() -> None:
    with op.batch_alter_table("operator") as table:
        table.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("operator") as table:
        table.drop_column("disabled_at")
