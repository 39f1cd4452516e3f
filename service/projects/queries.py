from sqlalchemy import Delete, Select, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.database import on_loop
from service.kit.problems import Forbidden, NotFound
from service.tables import Membership, Project

OWNER_ONLY = "Only the project's owner may do this."


VISIBLE = on_loop(
    select(Project, Membership)
    .join(Membership, Membership.project_id == Project.id)
    .where(Project.id == bindparam("project_id"), Membership.user_id == bindparam("user_id"))
)
IS_MEMBER = on_loop(
    select(Membership.user_id).where(
        Membership.project_id == bindparam("project_id"), Membership.user_id == bindparam("user_id")
    )
)


async def visible(session: AsyncSession, project_id: int, user_id: int) -> tuple[Project, Membership]:
    """The project and the caller's membership; 404, as if it did not exist, for a non-member."""
    row = (await session.execute(VISIBLE, {"project_id": project_id, "user_id": user_id})).one_or_none()
    if row is None:
        raise NotFound(f"No project with id {project_id}.")
    return row[0], row[1]


async def owned(session: AsyncSession, project_id: int, user_id: int) -> Project:
    project, membership = await visible(session, project_id, user_id)
    if membership.role != "owner":
        raise Forbidden(OWNER_ONLY)
    return project


async def is_member(session: AsyncSession, project_id: int, user_id: int) -> bool:
    return await session.scalar(IS_MEMBER, {"project_id": project_id, "user_id": user_id}) is not None


def of_member(user_id: int) -> Select[Project]:
    """The projects the user is a member of (unordered: the pager orders and bounds them)."""
    return select(Project).join(Membership, Membership.project_id == Project.id).where(Membership.user_id == user_id)


def delete_one(project_id: int) -> Delete:
    """The project; its memberships, tasks and exports go with it (ON DELETE CASCADE)."""
    return delete(Project).where(Project.id == project_id)
