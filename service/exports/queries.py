from datetime import datetime

from sqlalchemy import Select, func, select

from service.tables import Export, Membership

ACTIVE = ("queued", "running")


def of_project(project_id: int) -> Select[Export]:
    """A project's exports (unordered: the pager orders and bounds them)."""
    return select(Export).where(Export.project_id == project_id)


def members_export(export_id: int, user_id: int) -> Select[Export]:
    """The export, if the user is a member of its project."""
    return (
        select(Export)
        .join(Membership, Membership.project_id == Export.project_id)
        .where(Export.id == export_id, Membership.user_id == user_id)
    )


def active(project_id: int, format: str) -> Select[Export]:
    """The project's export of this format that is queued or running, if one is."""
    return select(Export).where(Export.project_id == project_id, Export.format == format, Export.status.in_(ACTIVE))


def in_flight(user_id: int) -> Select[int]:
    """How many exports the user asked for are queued or running."""
    return select(func.count()).where(Export.requested_by == user_id, Export.status.in_(ACTIVE))


def stored(user_id: int) -> Select[int | None, datetime | None]:
    """The bytes of the user's finished export files, and when the oldest of them finished."""
    mine = (Export.requested_by == user_id, Export.status == "succeeded")
    return select(func.coalesce(func.sum(Export.size_bytes), 0), func.min(Export.finished_at)).where(*mine)
