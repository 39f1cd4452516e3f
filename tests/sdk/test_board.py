"""A board frontend's day, through the generated SDK against a real server."""

import pytest
from taskboard_client import AuthenticatedClient, Client
from taskboard_client.api.invitations import accept_invitation, create_invitation, list_invitations
from taskboard_client.api.members import add_member, list_members
from taskboard_client.api.projects import create_project, get_project
from taskboard_client.api.tasks import create_task, get_task, list_tasks, update_task
from taskboard_client.api.tokens import create_token
from taskboard_client.api.users import create_user
from taskboard_client.models import (
    Invitation,
    InvitationCreate,
    InvitationPage,
    InvitationStatus,
    ListTasksSort,
    Member,
    MemberPage,
    Problem,
    Project,
    ProjectCreate,
    Task,
    TaskCreate,
    TaskPage,
    TaskStatus,
    TaskUpdate,
    Token,
    TokenCreate,
    User,
    UserCreate,
)
from taskboard_client.types import UNSET

from tests.live import LiveServer

# The SDK's work is the same on either database: once.
pytestmark = pytest.mark.once

PASSWORD = "correct horse battery"


def signed_in(url: str, email: str, name: str) -> tuple[AuthenticatedClient, User]:
    with Client(base_url=url) as public:
        user = create_user.sync(client=public, body=UserCreate(email=email, password=PASSWORD, display_name=name))
        token = create_token.sync(client=public, body=TokenCreate(email=email, password=PASSWORD))
    assert isinstance(user, User) and isinstance(token, Token)
    return AuthenticatedClient(base_url=url, token=token.access_token), user


def test_a_board_with_two_people(live_server: LiveServer) -> None:
    ada, ada_user = signed_in(live_server.url, "ada@example.com", "Ada")
    bob, bob_user = signed_in(live_server.url, "bob@example.com", "Bob")
    with ada, bob:
        created = create_project.sync_detailed(
            client=ada, body=ProjectCreate(name="Launch"), idempotency_key="launch-board"
        )
        assert created.status_code == 201 and isinstance(created.parsed, Project)
        project = created.parsed
        retried = create_project.sync_detailed(
            client=ada, body=ProjectCreate(name="Launch"), idempotency_key="launch-board"
        )
        assert retried.headers["idempotent-replayed"] == "true" and retried.parsed == project

        assert isinstance(get_project.sync(project.id, client=bob), Problem)  # not a member yet
        invited = create_invitation.sync_detailed(project.id, client=ada, body=InvitationCreate(user_id=bob_user.id))
        assert invited.status_code == 201 and isinstance(invited.parsed, Invitation)
        # The deprecated addMember invites too, and finds the same invitation.
        again = add_member.sync_detailed(project.id, bob_user.id, client=ada)
        assert again.status_code == 202 and again.parsed == invited.parsed
        mine = list_invitations.sync(client=bob)
        assert isinstance(mine, InvitationPage) and [i.project_name for i in mine.items] == ["Launch"]
        assert mine.items[0].status == InvitationStatus.PENDING
        joined = accept_invitation.sync(mine.items[0].id, client=bob)
        assert isinstance(joined, Member) and joined.user_id == bob_user.id
        members = list_members.sync(project.id, client=bob)
        assert isinstance(members, MemberPage)
        assert {(m.user_id, m.role.value) for m in members.items} == {(ada_user.id, "owner"), (bob_user.id, "member")}

        # Three columns.
        for status, count in ((TaskStatus.TODO, 3), (TaskStatus.IN_PROGRESS, 2), (TaskStatus.DONE, 1)):
            for i in range(count):
                task = create_task.sync(
                    project.id, client=bob, body=TaskCreate(title=f"{status.value} {i}", status=status)
                )
                assert isinstance(task, Task)

        # Move a task with If-Match, from the ETag of its read.
        todo = list_tasks.sync(project.id, client=ada, status=[TaskStatus.TODO], limit=1)
        assert isinstance(todo, TaskPage) and todo.items and isinstance(todo.next_cursor, str)
        read = get_task.sync_detailed(project.id, todo.items[0].id, client=ada)
        etag = read.headers["etag"]
        moved = update_task.sync_detailed(
            project.id, todo.items[0].id, client=ada, body=TaskUpdate(status=TaskStatus.IN_PROGRESS), if_match=etag
        )
        assert moved.status_code == 200 and isinstance(moved.parsed, Task)
        assert moved.parsed.status == TaskStatus.IN_PROGRESS and moved.headers["etag"] != etag

        # Bob still holds the old ETag: 412, so he refetches and retries.
        stale = update_task.sync_detailed(
            project.id, todo.items[0].id, client=bob, body=TaskUpdate(assignee_id=bob_user.id), if_match=etag
        )
        assert stale.status_code == 412 and isinstance(stale.parsed, Problem)
        fresh = get_task.sync_detailed(project.id, todo.items[0].id, client=bob)
        retry = update_task.sync_detailed(
            project.id,
            todo.items[0].id,
            client=bob,
            body=TaskUpdate(assignee_id=bob_user.id),
            if_match=fresh.headers["etag"],
        )
        assert retry.status_code == 200 and isinstance(retry.parsed, Task)
        assert retry.parsed.assignee_id == bob_user.id and retry.parsed.status == TaskStatus.IN_PROGRESS

        # Page through every task, three at a time.
        seen: list[int] = []
        cursor: str | None = None
        while True:
            page = list_tasks.sync(
                project.id, client=ada, limit=3, sort=ListTasksSort.CREATED_AT_DESC, cursor=cursor or UNSET
            )
            assert isinstance(page, TaskPage)
            seen += [t.id for t in page.items]
            if not isinstance(page.next_cursor, str):
                break
            cursor = page.next_cursor
        assert len(seen) == 6 and seen == sorted(seen, reverse=True)
