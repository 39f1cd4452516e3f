"""events: the log is purged once, as its retention would, for its tasks and projects carry no version

Tasks and projects now carry `version` in every representation, live events included. The events
logged before carry none: they are purged, and the horizon moved past them, so that a client
resuming from one of them is sent `reset` (refetch), as for events purged by age.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE event_horizon SET purged_through = (SELECT max(id) FROM project_event)"
        " WHERE (SELECT max(id) FROM project_event) > purged_through"
    )
    op.execute("DELETE FROM project_event")


def downgrade() -> None:
    pass  # the events are gone; the older code reads the newer ones (a field it does not know)
