"""exports: one queued or running per project and format, who asked for each, and the size of its file

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ACTIVE = sa.text("status IN ('queued', 'running')")


def upgrade() -> None:
    # SQLite adds the key by copying the table, keeping AUTOINCREMENT.
    with op.batch_alter_table("export", table_kwargs={"sqlite_autoincrement": True}) as table:
        table.add_column(sa.Column("requested_by", Id, nullable=True))
        table.add_column(sa.Column("size_bytes", Id, nullable=True))
        table.create_foreign_key(
            op.f("export_requested_by_fkey"), "user_account", ["requested_by"], ["id"], ondelete="SET NULL"
        )
    # Of the exports of one project and format queued or running together, the latest goes on.
    op.execute(
        "UPDATE export SET status = 'failed', error = 'Superseded by a later export of this project and format.', "
        "lease_expires_at = NULL WHERE status IN ('queued', 'running') AND id < (SELECT max(later.id) FROM export "
        "AS later WHERE later.project_id = export.project_id AND later.format = export.format "
        "AND later.status IN ('queued', 'running'))"
    )
    op.create_index(
        "export_active_project_id_format_idx",
        "export",
        ["project_id", "format"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_index(op.f("export_requested_by_status_idx"), "export", ["requested_by", "status"])


def downgrade() -> None:
    op.drop_index(op.f("export_requested_by_status_idx"), table_name="export")
    op.drop_index("export_active_project_id_format_idx", table_name="export")
    with op.batch_alter_table("export", table_kwargs={"sqlite_autoincrement": True}) as table:
        table.drop_constraint(op.f("export_requested_by_fkey"), type_="foreignkey")
        table.drop_column("size_bytes")
        table.drop_column("requested_by")
