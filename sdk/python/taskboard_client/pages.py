"""Every item of a paged list, page after page, following `nextCursor`.

Written with the SDK by `make generate`, from `codegen/sdk_python/templated/`; not to be edited here.

    for task in iterate(list_tasks, client, project_id, status=[TaskStatus.TODO]):
        ...  # a Task
    async for task in aiterate(list_tasks, client, project_id):
        ...

A page that is a problem raises its exception (problems.py). Typed per page model: one overload
each, written by `make generate` for every paged list of the contract (codegen/paging.py).
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Protocol, TypeVar, overload

from .client import AuthenticatedClient, Client
from .models import (
    Export,
    ExportPage,
    Invitation,
    InvitationPage,
    Member,
    MemberPage,
    Problem,
    Project,
    ProjectPage,
    Task,
    TaskPage,
    UserProfile,
    UserProfilePage,
    ValidationProblem,
)
from .problems import unwrap
from .types import Response

AnyPage = ExportPage | InvitationPage | MemberPage | ProjectPage | TaskPage | UserProfilePage
PageT = TypeVar("PageT", ExportPage, InvitationPage, MemberPage, ProjectPage, TaskPage, UserProfilePage)


class Listing(Protocol[PageT]):
    """A list operation's module of the SDK (`list_tasks`, `list_projects`, ...)."""

    @property
    def sync_detailed(self) -> Callable[..., Response[PageT | Problem | ValidationProblem]]: ...

    @property
    def asyncio_detailed(self) -> Callable[..., Awaitable[Response[PageT | Problem | ValidationProblem]]]: ...


@overload
def iterate(
    operation: Listing[ExportPage], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> Iterator[Export]: ...
@overload
def iterate(
    operation: Listing[InvitationPage], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> Iterator[Invitation]: ...
@overload
def iterate(
    operation: Listing[MemberPage], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> Iterator[Member]: ...
@overload
def iterate(
    operation: Listing[ProjectPage], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> Iterator[Project]: ...
@overload
def iterate(
    operation: Listing[TaskPage], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> Iterator[Task]: ...
@overload
def iterate(
    operation: Listing[UserProfilePage], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> Iterator[UserProfile]: ...
def iterate(operation: Listing[Any], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any) -> Iterator[Any]:
    """The items of every page of `operation`, called with `args` and `kwargs`."""
    page: AnyPage = unwrap(operation.sync_detailed(*args, client=client, **kwargs))
    yield from page.items
    while page.next_cursor is not None:
        page = unwrap(operation.sync_detailed(*args, client=client, cursor=page.next_cursor, **kwargs))
        yield from page.items


@overload
def aiterate(
    operation: Listing[ExportPage], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> AsyncIterator[Export]: ...
@overload
def aiterate(
    operation: Listing[InvitationPage], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> AsyncIterator[Invitation]: ...
@overload
def aiterate(
    operation: Listing[MemberPage], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> AsyncIterator[Member]: ...
@overload
def aiterate(
    operation: Listing[ProjectPage], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> AsyncIterator[Project]: ...
@overload
def aiterate(
    operation: Listing[TaskPage], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> AsyncIterator[Task]: ...
@overload
def aiterate(
    operation: Listing[UserProfilePage], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> AsyncIterator[UserProfile]: ...
async def aiterate(
    operation: Listing[Any], client: AuthenticatedClient | Client, *args: Any, **kwargs: Any
) -> AsyncIterator[Any]:
    """The same, for async code."""
    page: AnyPage = unwrap(await operation.asyncio_detailed(*args, client=client, **kwargs))
    for item in page.items:
        yield item
    while page.next_cursor is not None:
        page = unwrap(await operation.asyncio_detailed(*args, client=client, cursor=page.next_cursor, **kwargs))
        for item in page.items:
            yield item
