import anyio
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import State

from generated import models
from generated.api.exports import CreateExportResult, ExportsApi
from generated.runtime import Download
from service.exports import queries as exports
from service.exports.files import MEDIA_TYPES, file_of
from service.exports.mapping import export_model
from service.kit import tracing
from service.kit.columns import utcnow
from service.kit.database import after_commit
from service.kit.handlers import Handlers
from service.kit.metrics import EXPORTS
from service.kit.pagination import Pager, by_id
from service.kit.problems import Conflict, NotFound
from service.kit.ratelimits import TooManyRequests
from service.projects import queries as projects
from service.tables import Export

# An export takes seconds: about when to ask again, when a user's are all queued or running.
IN_FLIGHT_RETRY_SECONDS = 10


class ExportsHandlers(Handlers, ExportsApi):
    async def list_exports(self, *, project_id: int, limit: int = 20, cursor: str | None = None) -> models.ExportPage:
        await projects.visible(self.session, project_id, self.caller.user_id)
        pager = Pager(await self.cursors(), f"exports:{project_id}", [Export.id], descending=True)
        query = exports.of_project(project_id)
        found = (await self.session.scalars(pager.query(query, cursor, limit))).all()
        listed, next_cursor = pager.page(found, limit, by_id)
        return models.ExportPage(items=[export_model(e) for e in listed], next_cursor=next_cursor)

    async def create_export(self, *, project_id: int, body: models.ExportCreate) -> CreateExportResult:
        await projects.visible(self.session, project_id, self.caller.user_id)
        format = body.format.value
        if (running := await self.session.scalar(exports.active(project_id, format))) is not None:
            return _joined(running)
        await self._within_quotas()
        me = self.caller.user_id
        export = Export(project_id=project_id, format=format, status="queued", created_at=utcnow(), requested_by=me)
        try:
            async with self.session.begin_nested():
                self.session.add(export)
        except IntegrityError:
            # Another request queued one first (the unique index of queued and running exports).
            if (running := await self.session.scalar(exports.active(project_id, format))) is None:
                raise
            return _joined(running)
        export_id = export.id
        carried = tracing.carrier()
        after_commit(self.session, lambda state: queued(state, export_id, carried))
        return CreateExportResult(status_code=202, body=export_model(export), location=f"/v1/exports/{export.id}")

    async def _within_quotas(self) -> None:
        me, settings = self.caller.user_id, self.settings
        if (count := await self.session.scalar(exports.in_flight(me)) or 0) >= settings.exports_in_flight_per_user:
            detail = f"You have {count} exports queued or running; one more may start once one of them ends."
            raise TooManyRequests(detail, IN_FLIGHT_RETRY_SECONDS)
        stored, oldest = (await self.session.execute(exports.stored(me))).one()
        if (stored or 0) >= settings.export_bytes_per_user:
            frees = (oldest + settings.export_retention - utcnow()).total_seconds() if oldest else 0
            detail = (
                f"Your finished exports keep {stored} bytes, and EXPORT_BYTES_PER_USER allows "
                f"{settings.export_bytes_per_user}; the oldest is deleted after Retry-After seconds."
            )
            raise TooManyRequests(detail, frees)

    async def get_export(self, *, export_id: int) -> models.Export:
        return export_model(await self._export(export_id))

    async def download_export(self, *, export_id: int) -> Download:
        export = await self._export(export_id)
        if export.status != "succeeded":
            raise Conflict(f"Export {export_id} is {export.status}, not succeeded.")
        try:
            file = await anyio.open_file(file_of(self.settings.export_dir, export.id, export.format), "rb")
        except FileNotFoundError:
            raise Conflict(f"The file of export {export_id} is gone; start a new export.") from None
        return Download(
            file=file,
            media_type=MEDIA_TYPES[export.format],
            filename=f"project-{export.project_id}-tasks.{export.format}",
        )

    async def _export(self, export_id: int) -> Export:
        """The export, if the caller is a member of its project; 404 as if it did not exist otherwise."""
        export = await self.session.scalar(exports.members_export(export_id, self.caller.user_id))
        if export is None:
            raise NotFound(f"No export with id {export_id}.")
        return export


def _joined(export: Export) -> CreateExportResult:
    return CreateExportResult(status_code=200, body=export_model(export), location=f"/v1/exports/{export.id}")


def queued(state: State, export_id: int, carried: dict[str, str]) -> None:
    EXPORTS.labels("queued").inc()
    state.exports.submit(export_id, carried)
