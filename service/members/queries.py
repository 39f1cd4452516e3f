from sqlalchemy import Select, select

from service.tables import Membership, User


def of_project(project_id: int) -> Select[Membership, str]:
    """A project's memberships, with each member's display name (unordered: the pager orders them)."""
    return (
        select(Membership, User.display_name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.project_id == project_id)
    )
