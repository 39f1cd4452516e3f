"""Stream tickets: single-use credentials for one project's event stream, stored only as digests."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import Delete, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.columns import utcnow
from service.kit.credentials import token_digest
from service.tables import AccessToken, StreamTicket
from service.tokens.queries import ActiveToken

TICKET_PREFIX = "tbs_"
TICKET_LIFETIME = timedelta(seconds=30)


async def issue(
    session: AsyncSession, token_id: int, token_expires_at: datetime, project_id: int
) -> tuple[str, datetime]:
    """A new ticket for the stream of `project_id`, made by the token `token_id`, and its expiry."""
    ticket = TICKET_PREFIX + secrets.token_urlsafe(32)
    expires_at = min(utcnow() + TICKET_LIFETIME, token_expires_at)
    session.add(
        StreamTicket(ticket_hash=token_digest(ticket), token_id=token_id, project_id=project_id, expires_at=expires_at)
    )
    await session.flush()
    return ticket, expires_at


async def redeem(session: AsyncSession, ticket: str) -> tuple[int, ActiveToken] | None:
    """Uses the ticket up, whatever comes of it: its project and the token that made it, while both
    ticket and token still work; None otherwise."""
    used = delete(StreamTicket).where(StreamTicket.ticket_hash == token_digest(ticket))
    returned = used.returning(StreamTicket.project_id, StreamTicket.token_id, StreamTicket.expires_at)
    row = (await session.execute(returned)).one_or_none()
    now = utcnow()
    if row is None or row.expires_at <= now:
        return None
    # Not the whole row: a token's digest is never read where it is not needed.
    token = select(AccessToken.user_id, AccessToken.expires_at).where(
        AccessToken.id == row.token_id, AccessToken.revoked_at.is_(None), AccessToken.expires_at > now
    )
    found = (await session.execute(token)).one_or_none()
    if found is None:
        return None
    return row.project_id, ActiveToken(token_id=row.token_id, user_id=found.user_id, expires_at=found.expires_at)


def expired() -> Delete:
    """The tickets that can no longer be used, for the periodic clean-up."""
    return delete(StreamTicket).where(StreamTicket.expires_at < utcnow())
