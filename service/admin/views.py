"""The back office's pages: the service's tables, read-only, and the actions operators take
(POST forms carrying the session's CSRF token; an admin's only)."""

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from sqladmin import ModelView, expose
from sqladmin.pagination import Pagination
from sqlalchemy import Select, func, or_
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.admin import actions, operators
from service.admin.audit import COMMAND_LINE
from service.admin.auth import check_csrf, operator_of, read_form
from service.kit.database import Database
from service.settings import Settings
from service.tables import AuditEntry, Export, Membership, Operator, Project, Task, User

# The service's ids: positive, and within PostgreSQL's bigint.
LARGEST_ID = 2**63 - 1


class ReadOnly(ModelView):
    can_create = can_edit = can_delete = can_export = False
    page_size = 50

    async def get_object_for_details(self, request: Request) -> Any:
        """None (a 404 page) for what is no key of this table: not ids, or too many or too few."""
        parts = str(request.path_params["pk"]).split(";")
        ids = [part for part in parts if part.isascii() and part.isdigit() and int(part) <= LARGEST_ID]
        if len(ids) != len(parts) or len(ids) != len(self.pk_columns):
            return None
        return await super().get_object_for_details(request)

    def search_query(self, stmt: Select[Any], term: str) -> Select[Any]:
        """The rows where a searchable column holds the term, in any case; `%` and `_` are themselves."""
        term = term.strip().lower()
        return stmt.where(or_(*(func.lower(c).contains(term, autoescape=True) for c in self.column_searchable_list)))


async def admins_form(request: Request) -> tuple[FormData, Operator]:
    """The form an admin sent from a page of the back office, and the admin."""
    form = await read_form(request)
    check_csrf(request, form)
    operator = operator_of(request)
    if operator.role != "admin":
        raise HTTPException(403, "Only an admin operator may do this; support operators read.")
    return form, operator


async def act(request: Request, action: Callable[[Database, Operator, int], Awaitable[None]]) -> int:
    """Runs an operator's action on the object of the page its form was on; that object's id."""
    _, operator = await admins_form(request)
    pk = int(request.path_params["pk"])
    await action(request.app.state.database, operator, pk)
    return pk


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def with_settings(
    request: Request, action: Callable[[Database, Settings, Operator, int], Awaitable[None]]
) -> Callable[[Database, Operator, int], Awaitable[None]]:
    settings: Settings = request.app.state.settings
    return lambda database, operator, pk: action(database, settings, operator, pk)


def shown(request: Request, identity: str, pk: int | None = None) -> Response:
    """The object's page (or the list, when it is gone), after an action (303: a GET)."""
    page = request.url_for("admin:list", identity=identity)
    if pk is not None:
        page = request.url_for("admin:details", identity=identity, pk=pk)
    return RedirectResponse(page, status_code=303)


class UserView(ReadOnly, model=User):
    name, name_plural, icon = "User", "Users", "fa-solid fa-user"
    column_list: ClassVar[Any] = [User.id, User.email, User.display_name, User.created_at, User.locked_at]
    column_details_list: ClassVar[Any] = [*column_list, User.updated_at]
    column_searchable_list: ClassVar[Any] = [User.email]
    column_sortable_list: ClassVar[Any] = [User.id, User.email, User.created_at]
    details_template = "user_details.html"

    def search_query(self, stmt: Select[Any], term: str) -> Select[Any]:
        """By a part of the email, or by the id."""
        term = term.strip()
        found = User.email_key.contains(term.lower(), autoescape=True)
        if term.isascii() and term.isdigit() and int(term) <= LARGEST_ID:
            found = or_(found, User.id == int(term))
        return stmt.where(found)

    @expose("/lock/{pk:int}", methods=["POST"])
    async def lock(self, request: Request) -> Response:
        return shown(request, "user", await act(request, actions.lock))

    @expose("/unlock/{pk:int}", methods=["POST"])
    async def unlock(self, request: Request) -> Response:
        return shown(request, "user", await act(request, actions.unlock))

    @expose("/revoke-tokens/{pk:int}", methods=["POST"])
    async def revoke_tokens(self, request: Request) -> Response:
        return shown(request, "user", await act(request, actions.revoke_tokens))


class ProjectView(ReadOnly, model=Project):
    name, name_plural, icon = "Project", "Projects", "fa-solid fa-table-columns"
    column_list: ClassVar[Any] = [Project.id, Project.name, Project.owner_id, Project.created_at]
    column_details_list: ClassVar[Any] = [*column_list, Project.description, Project.updated_at]
    column_searchable_list: ClassVar[Any] = [Project.name]


class MemberView(ReadOnly, model=Membership):
    name, name_plural, icon = "Member", "Members", "fa-solid fa-users"
    column_list: ClassVar[Any] = [Membership.project_id, Membership.user_id, Membership.role, Membership.added_at]
    column_details_list: ClassVar[Any] = column_list


class TaskView(ReadOnly, model=Task):
    name, name_plural, icon = "Task", "Tasks", "fa-solid fa-list-check"
    column_list: ClassVar[Any] = [Task.id, Task.project_id, Task.title, Task.status, Task.assignee_id, Task.due_date]
    column_details_list: ClassVar[Any] = [*column_list, Task.description, Task.created_at, Task.updated_at]
    column_searchable_list: ClassVar[Any] = [Task.title]


class ExportView(ReadOnly, model=Export):
    name, name_plural, icon = "Export", "Exports", "fa-solid fa-file-export"
    column_list: ClassVar[Any] = [Export.id, Export.project_id, Export.format, Export.status, Export.created_at]
    column_details_list: ClassVar[Any] = [*column_list, Export.finished_at, Export.row_count, Export.error]
    details_template = "export_details.html"

    @expose("/requeue/{pk:int}", methods=["POST"])
    async def requeue(self, request: Request) -> Response:
        return shown(request, "export", await act(request, with_settings(request, actions.requeue_export)))

    @expose("/purge/{pk:int}", methods=["POST"])
    async def purge(self, request: Request) -> Response:
        await act(request, with_settings(request, actions.purge_export))
        return shown(request, "export")


class AuditView(ReadOnly, model=AuditEntry):
    name, name_plural, icon = "Audit entry", "Audit log", "fa-solid fa-clipboard-list"
    column_list: ClassVar[Any] = [
        AuditEntry.at,
        AuditEntry.operator_email,
        AuditEntry.action,
        AuditEntry.object_type,
        AuditEntry.object_id,
    ]
    column_details_list: ClassVar[Any] = [AuditEntry.id, *column_list, AuditEntry.before, AuditEntry.after]
    # Not by operator: a support operator, who may not list the operators, could find them by search.
    column_searchable_list: ClassVar[Any] = [AuditEntry.action]
    column_labels: ClassVar[Any] = {
        AuditEntry.at: "When",
        AuditEntry.operator_email: "Operator",
        AuditEntry.action: "Action",
        AuditEntry.object_type: "Object",
        AuditEntry.object_id: "Its id",
    }
    column_default_sort: ClassVar[Any] = [(AuditEntry.id, True)]

    async def list(self, request: Request) -> Pagination:
        page = await super().list(request)
        for entry in page.rows:
            _as_seen_by(operator_of(request), entry)
        return page

    async def get_object_for_details(self, request: Request) -> Any:
        entry = await super().get_object_for_details(request)
        if entry is not None:
            _as_seen_by(operator_of(request), entry)
        return entry


def _as_seen_by(viewer: Operator, entry: AuditEntry) -> None:
    """A support operator sees who acted by id, and by email only where it was they: the operators'
    emails are for admins (the list of operators is theirs alone), and so is what an entry about an
    operator holds. The entry is detached: unsaved."""
    if viewer.role == "admin":
        return
    if entry.operator_id != viewer.id and entry.operator_email != COMMAND_LINE:
        entry.operator_email = f"operator #{entry.operator_id}" if entry.operator_id else "a former operator"
    if entry.object_type == "operator" and entry.object_id != viewer.id:
        entry.before, entry.after = (None if held is None else "(for admins)" for held in (entry.before, entry.after))


class OperatorView(ReadOnly, model=Operator):
    """An admin's alone: makes, disables, enables, re-roles, resets and removes operators."""

    name, name_plural, icon = "Operator", "Operators", "fa-solid fa-user-shield"
    column_list: ClassVar[Any] = [Operator.id, Operator.email, Operator.role, Operator.created_at, Operator.disabled_at]
    column_details_list: ClassVar[Any] = column_list
    column_labels: ClassVar[Any] = {Operator.disabled_at: "Disabled at"}
    list_template = "operator_list.html"
    details_template = "operator_details.html"

    @expose("/new", methods=["GET", "POST"])
    async def new(self, request: Request) -> Response:
        """The form, and what it makes: the new operator's page, or the form again saying what was wrong."""
        if request.method == "GET":
            return await self.templates.TemplateResponse(request, "operator_new.html", {"model_view": self})
        form, admin = await admins_form(request)
        settings: Settings = request.app.state.settings
        email, role = field(form, "email"), field(form, "role")
        try:
            made = await operators.create(
                request.app.state.database, settings, admin, email, field(form, "password"), role
            )
        except operators.Refused as refused:
            context = {"model_view": self, "error": f"No operator made: {refused}.", "email": email, "role": role}
            return await self.templates.TemplateResponse(request, "operator_new.html", context, status_code=400)
        return shown(request, "operator", made.id)

    @expose("/end-sessions/{pk:int}", methods=["POST"])
    async def end_sessions(self, request: Request) -> Response:
        return shown(request, "operator", await act(request, operators.end_sessions))

    @expose("/disable/{pk:int}", methods=["POST"])
    async def disable(self, request: Request) -> Response:
        return shown(request, "operator", await act(request, operators.disable))

    @expose("/enable/{pk:int}", methods=["POST"])
    async def enable(self, request: Request) -> Response:
        return shown(request, "operator", await act(request, operators.enable))

    @expose("/role/{pk:int}", methods=["POST"])
    async def change_role(self, request: Request) -> Response:
        form, admin = await admins_form(request)
        pk = int(request.path_params["pk"])
        try:
            await operators.change_role(request.app.state.database, admin, pk, field(form, "role"))
        except operators.Refused as refused:
            raise HTTPException(400, f"The role is unchanged: {refused}.") from None
        return shown(request, "operator", pk)

    @expose("/password/{pk:int}", methods=["POST"])
    async def reset_password(self, request: Request) -> Response:
        form, admin = await admins_form(request)
        pk, settings = int(request.path_params["pk"]), request.app.state.settings
        try:
            await operators.reset_password(request.app.state.database, settings, admin, pk, field(form, "password"))
        except operators.Refused as refused:
            raise HTTPException(400, f"The password is unchanged: {refused}.") from None
        return shown(request, "operator", pk)

    @expose("/remove/{pk:int}", methods=["POST"])
    async def remove(self, request: Request) -> Response:
        await act(request, operators.remove)
        return shown(request, "operator")

    def is_accessible(self, request: Request) -> bool:
        # Asked for the menu of every page, error pages before sign-in too.
        operator: Operator | None = getattr(request.state, "operator", None)
        return operator is not None and operator.role == "admin"

    def is_visible(self, request: Request) -> bool:
        return self.is_accessible(request)


VIEWS = (UserView, ProjectView, MemberView, TaskView, ExportView, AuditView, OperatorView)
