from sqlalchemy import Select, select

from service.tables import Export, Membership


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
