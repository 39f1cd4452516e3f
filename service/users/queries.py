from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, undefer

from service.kit.columns import utcnow
from service.kit.problems import Conflict
from service.tables import Membership, User


def email_key(email: str) -> str:
    # ASCII letters only: str.lower() would also fold, say, the Kelvin sign into a "k".
    return email.encode().lower().decode()


async def find_by_email(session: AsyncSession, email: str) -> User | None:
    """The account with this email, its password hash loaded for a sign-in."""
    if "\x00" in email:  # none has one (sign-up refuses it), and PostgreSQL's text refuses it
        return None
    result = await session.execute(
        select(User).where(User.email_key == email_key(email)).options(undefer(User.password_hash))
    )
    return result.scalar_one_or_none()


async def password_hash(session: AsyncSession, user_id: int) -> str | None:
    hashed: str | None = await session.scalar(select(User.password_hash).where(User.id == user_id))
    return hashed


async def get(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


def visible_to(viewer_id: int) -> ColumnElement[bool]:
    """Users the viewer may see: the viewer, and everyone sharing a project with the viewer."""
    mine, theirs = aliased(Membership), aliased(Membership)
    shared = (
        select(mine.project_id)
        .join(theirs, theirs.project_id == mine.project_id)
        .where(mine.user_id == viewer_id, theirs.user_id == User.id)
    )
    return or_(User.id == viewer_id, shared.exists())


async def create(session: AsyncSession, *, email: str, display_name: str, password_hash: str) -> User:
    now = utcnow()
    user = User(
        email=email,
        email_key=email_key(email),
        display_name=display_name,
        password_hash=password_hash,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as error:
        # Another sign-up with this email committed first.
        raise Conflict("An account with this email already exists.") from error
    return user


def visible(viewer_id: int) -> Select[User]:
    """The users the viewer may see (unordered: the pager orders and bounds them)."""
    return select(User).where(visible_to(viewer_id))
