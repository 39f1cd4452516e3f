from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Date,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from generated import models
from service.kit.columns import Id, UtcDateTime, one_of, utcnow

NAMING_CONVENTION = {
    "ix": "%(table_name)s_%(column_0_N_name)s_idx",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # The email folded to lower case: the unique key that makes sign-up case-insensitive.
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    # Loaded only where a password is checked, so that the hash rides along with no other read
    # (the caller of every request is a User): raiseload makes a forgotten undefer() an error.
    password_hash: Mapped[str] = mapped_column(String(255), deferred=True, deferred_raiseload=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Set by an operator (the back office): the account cannot sign in, and its tokens do not work.
    locked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AccessToken(Base):
    __tablename__ = "access_token"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # SHA-256 of the token: the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index(None, "user_id"),)


class StreamTicket(Base):
    """A single-use credential for one project's event stream (createStreamTicket), for a browser's
    EventSource, which cannot send the token itself. Deleted when used."""

    __tablename__ = "stream_ticket"

    # SHA-256 of the ticket: the ticket itself is never stored.
    ticket_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The token that made it: the stream it opens lasts as that token does.
    token_id: Mapped[int] = mapped_column(Id, ForeignKey("access_token.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(Id, ForeignKey("project.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(2000))
    owner_id: Mapped[int] = mapped_column(Id, ForeignKey("user_account.id"))
    # Counts modifications: the ETag, and the compare-and-set behind If-Match.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    # AUTOINCREMENT: SQLite would otherwise hand a deleted project's id to the next one.
    __table_args__ = ({"sqlite_autoincrement": True},)
    # The ORM adds `AND version = <the version read>` to every UPDATE, and counts it up.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Membership(Base):
    __tablename__ = "membership"

    project_id: Mapped[int] = mapped_column(Id, ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        one_of("role", models.MemberRole),
        Index(None, "user_id", "project_id"),
    )


PENDING_INVITATION: ColumnElement[bool] = literal_column("status = 'pending'")


class Invitation(Base):
    """An owner's invitation of a user to a project: the only way in besides creating the project."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = mapped_column(Id, ForeignKey("project.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("user_account.id", ondelete="CASCADE"))
    invited_by: Mapped[int] = mapped_column(Id, ForeignKey("user_account.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        one_of("status", models.InvitationStatus),
        # One pending invitation of a user to a project: inviting again finds it.
        Index(
            "invitation_pending_project_id_user_id_idx",
            "project_id",
            "user_id",
            unique=True,
            sqlite_where=PENDING_INVITATION,
            postgresql_where=PENDING_INVITATION,
        ),
        Index(None, "user_id", "status", "id"),
        Index(None, "project_id", "status", "id"),
        Index(None, "invited_by"),
        {"sqlite_autoincrement": True},
    )


# Sort keys of the due-date orders: tasks without a due date sort last in both directions.
DUE_LAST_ASC: ColumnElement[date] = func.coalesce(
    literal_column("due_date"), literal_column("'9999-12-31'"), type_=Date
)
DUE_LAST_DESC: ColumnElement[date] = func.coalesce(
    literal_column("due_date"), literal_column("'0001-01-01'"), type_=Date
)


class Task(Base):
    __tablename__ = "task"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = mapped_column(Id, ForeignKey("project.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    assignee_id: Mapped[int | None] = mapped_column(Id, ForeignKey("user_account.id", ondelete="SET NULL"))
    due_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        one_of("status", models.TaskStatus),
        Index("task_project_id_created_at_idx", "project_id", "created_at", "id"),
        Index("task_project_id_due_last_asc_idx", "project_id", DUE_LAST_ASC, "id"),
        Index("task_project_id_due_last_desc_idx", "project_id", DUE_LAST_DESC, "id"),
        Index("task_project_id_assignee_id_idx", "project_id", "assignee_id"),
        # The assignee is a member: an assignment racing the member's removal fails one of the two
        # (members/handlers.py locks the membership first, so that it is the assignment).
        ForeignKeyConstraint(["project_id", "assignee_id"], ["membership.project_id", "membership.user_id"]),
        {"sqlite_autoincrement": True},
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class IdempotencyRecord(Base):
    """A create request made with an Idempotency-Key, and the response to replay for it."""

    __tablename__ = "idempotency_record"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the operation and the request body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    response_body: Mapped[str | None] = mapped_column(Text)
    response_headers: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("user_id", "key"),)


class ProjectEvent(Base):
    """The persisted log of project changes behind the event streams, kept for a while."""

    __tablename__ = "project_event"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # No foreign key: a project's deletion is itself an event, and must outlive the project.
    project_id: Mapped[int] = mapped_column(Id)
    # The user whose invitation the event is about: it is in their invitations' feed too.
    invitee_id: Mapped[int | None] = mapped_column(Id)
    event: Mapped[str] = mapped_column(String(32))
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index(None, "project_id", "id"),
        Index(None, "invitee_id", "id"),
        Index(None, "created_at"),
        {"sqlite_autoincrement": True},
    )


class EventHorizon(Base):
    """One row: the highest event id ever purged. A client that last saw an older one missed events."""

    __tablename__ = "event_horizon"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purged_through: Mapped[int] = mapped_column(Id)


ACTIVE_EXPORT: ColumnElement[bool] = literal_column("status IN ('queued', 'running')")


class Export(Base):
    """An export job: its state lives here, whichever worker runs it."""

    __tablename__ = "export"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = mapped_column(Id, ForeignKey("project.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    row_count: Mapped[int | None] = mapped_column(Integer)
    # While running: until when the run's worker holds it. It renews this as it writes; once the
    # time has passed, the worker is taken for dead and any process may queue the export again.
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Who asked for it (their quotas count it), and the size of its file once written.
    requested_by: Mapped[int | None] = mapped_column(Id, ForeignKey("user_account.id", ondelete="SET NULL"))
    size_bytes: Mapped[int | None] = mapped_column(Id)

    __table_args__ = (
        one_of("status", models.ExportStatus),
        one_of("format", models.ExportFormat),
        Index(None, "status"),
        # One export of a project and format queued or running at a time: a second request joins it.
        Index(
            "export_active_project_id_format_idx",
            "project_id",
            "format",
            unique=True,
            sqlite_where=ACTIVE_EXPORT,
            postgresql_where=ACTIVE_EXPORT,
        ),
        Index(None, "requested_by", "status"),
        {"sqlite_autoincrement": True},
    )


class PasswordFailure(Base):
    """Recent wrong passwords for one key (service/tokens/throttle.py): an email from one client
    address, an email from anywhere, or a token; whether or not an account has the email."""

    __tablename__ = "password_failure"

    # An HMAC of what the key stands for, with the `sign-in` shared secret: the table names no one.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[float] = mapped_column(Double)
    locked_until: Mapped[float | None] = mapped_column(Double)
    # An email from an address that signed in to it: the email's ceiling does not lock it out.
    trusted_until: Mapped[float | None] = mapped_column(Double)

    __table_args__ = (Index(None, "last_failed_at"),)


class SchemaCompatibility(Base):
    """One row: the oldest revision whose code serves this schema, written by every migration run
    (service/migrations/env.py): code older than the schema still serves it after expand steps."""

    __tablename__ = "schema_compatibility"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    oldest_code: Mapped[str] = mapped_column(String(32))


class SharedSecret(Base):
    """Secrets every process must share (the key that signs cursors), made once by whichever needs one first."""

    __tablename__ = "shared_secret"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(100))


class Operator(Base):
    """Someone who runs Taskboard, signing in to the back office (service/admin/): not an API user."""

    __tablename__ = "operator"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # Folded to lower case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # `support` reads; `admin` also acts (locks, revokes, re-queues, purges).
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # A session carries the generation it was made in; a sign-out, or an admin, moves it on, and every
    # session made before stops working (a copied cookie too).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set by an admin: the operator cannot sign in until enabled again.
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (CheckConstraint("role IN ('support', 'admin')", name="role"), {"sqlite_autoincrement": True})


class AuditEntry(Base):
    """What an operator did, to what, and the object before and after (JSON): written with the
    action, in its transaction, and never changed."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Kept when the operator is gone: the entry names them by email too.
    operator_id: Mapped[int | None] = mapped_column(Id, ForeignKey("operator.id", ondelete="SET NULL"))
    operator_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int] = mapped_column(Id)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "object_type", "object_id"), Index(None, "at"), {"sqlite_autoincrement": True})
