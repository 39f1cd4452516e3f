"""The API's export, from the ORM's."""

from generated import models
from service.tables import Export


def export_model(export: Export) -> models.Export:
    return models.Export(
        id=export.id,
        project_id=export.project_id,
        format=models.ExportFormat(export.format),
        status=models.ExportStatus(export.status),
        created_at=export.created_at,
        finished_at=export.finished_at,
        error=export.error,
        row_count=export.row_count,
    )
